package org.ovss.runner.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The named protocols resolve to the hashes they had while they were files inside the runner (values computed by the
 * runner of commit 9d49b99, before protocols became data files found in the harness and its plugins): moving a file
 * into a plugin must not change what results.json records.
 */
class ProtocolHashesTest {
  private static final Map<String, String> BEFORE_THE_MOVE = Map.ofEntries(
      Map.entry("sclip/voc21", "b6f2bdc5cdff01802c5a11d307b6934c035d37815dcc2d7db0153250044e2c0d"),
      Map.entry("sclip/context60", "9a2b778a75fb4690efdcc82baf74340762bdf4016b3185b033a831efff0b4acf"),
      Map.entry("sclip/coco-object", "9a2b778a75fb4690efdcc82baf74340762bdf4016b3185b033a831efff0b4acf"),
      Map.entry("sclip/synth-shapes", "363cdbdc9215053cbb518685c5f86c055a6108e5e0719914fa91081dda12ce9c"),
      Map.entry("sclip-paper/voc21", "539b0cdc31e1e1c4331f218e2f418a868c99f24002f7a19d342453eb3712da79"),
      Map.entry("sclip-paper/context60", "9ddf89f94aea9b17815eac5372c1ed8e13fb63cf58aa3488fd15bb11a055eef9"),
      Map.entry("sclip-paper/coco-object", "9ddf89f94aea9b17815eac5372c1ed8e13fb63cf58aa3488fd15bb11a055eef9"),
      Map.entry("sclip-paper/synth-shapes", "7cb8564641f2341cf9a8f1cc1b21a28bb14668a8df81d2ae42a35deb64a34d39"),
      Map.entry("groupvit/voc21", "2c81d3fef8ca1b120c3fc21716d00f9811af5fc77085393be9c426913d1f6a16"),
      Map.entry("groupvit/context60", "0eca330784d95973bbe80fbfd177095089270054c3e7f9cd8008cc01e09e88a9"),
      Map.entry("groupvit/coco-object", "2c81d3fef8ca1b120c3fc21716d00f9811af5fc77085393be9c426913d1f6a16"),
      Map.entry("groupvit/synth-shapes", "d6dcba9d4fbcbaf4f0735e515299135b0c8c1239fdce176ed6d7f3be192d1731"),
      Map.entry("segclip/voc21", "4ce3a940fa535caa7b3fa7326d805a12386ddffac2d1b1049d90a279ab1c7f79"),
      Map.entry("segclip/context60", "63e25910e89feeadc139cf3199210d69de9edd9746fca06efa6201694492ae9f"),
      Map.entry("segclip/coco-object", "7a6c865e35b53953bb899a1ace77f93688cfb69da748f2a231fa155123c6b4da"),
      Map.entry("segclip/synth-shapes", "6960d7d1c3553622b2283f38608711a8f97b3c752487a548c52d378b07e896ff"),
      Map.entry("clippy/voc21", "e959d38f2aa8551ac1b70044b71a5ee50f0286648a0a1381ece3c3de1ecf9a82"),
      Map.entry("clippy/context60", "e959d38f2aa8551ac1b70044b71a5ee50f0286648a0a1381ece3c3de1ecf9a82"),
      Map.entry("clippy/coco-object", "e959d38f2aa8551ac1b70044b71a5ee50f0286648a0a1381ece3c3de1ecf9a82"),
      Map.entry("clippy/synth-shapes", "e959d38f2aa8551ac1b70044b71a5ee50f0286648a0a1381ece3c3de1ecf9a82"),
      Map.entry("simseg/voc21", "b25a05003fc5c680c3570b0239551608e12f33731dd4b887d8f881be5dc5f819"),
      Map.entry("simseg/context60", "b25a05003fc5c680c3570b0239551608e12f33731dd4b887d8f881be5dc5f819"),
      Map.entry("simseg/coco-object", "b25a05003fc5c680c3570b0239551608e12f33731dd4b887d8f881be5dc5f819"),
      Map.entry("simseg/synth-shapes", "d3539a39cdee73a1d0a75f789983cb669719594c2cdda1d95565f3cf2871bab3"),
      Map.entry("pacl/voc21", "f0af6fdfa83562364dfda0697121b7edc2d7c6677592738af7695f25454449a4"),
      Map.entry("pacl/context60", "5fbe21fb11b1c47f19132faaf64196bedc29d4a62b51466daacdac12709c7239"),
      Map.entry("pacl/coco-object", "5fbe21fb11b1c47f19132faaf64196bedc29d4a62b51466daacdac12709c7239"),
      Map.entry("pacl/synth-shapes", "5fbe21fb11b1c47f19132faaf64196bedc29d4a62b51466daacdac12709c7239"),
      Map.entry("synth/voc21", "9dd32f98ccf810cc2cd28cded7f81b636396bd86d6f72195fa2ee1947c696507"),
      Map.entry("synth/context60", "9dd32f98ccf810cc2cd28cded7f81b636396bd86d6f72195fa2ee1947c696507"),
      Map.entry("synth/coco-object", "9dd32f98ccf810cc2cd28cded7f81b636396bd86d6f72195fa2ee1947c696507"),
      Map.entry("synth/synth-shapes", "9dd32f98ccf810cc2cd28cded7f81b636396bd86d6f72195fa2ee1947c696507"));

  @Test
  void everyNamedProtocolKeepsItsHashAfterMovingIntoAPlugin() {
    BEFORE_THE_MOVE.forEach((key, hash) -> {
      String[] protocolAndDataset = key.split("/");
      assertThat(Protocols.resolve(protocolAndDataset[0], protocolAndDataset[1], Map.of()).hash()).as(key).isEqualTo(hash);
    });
    assertThat(Protocols.names()).containsExactly("clippy", "groupvit", "pacl", "sclip", "sclip-paper", "segclip", "simseg", "synth");
  }
}
