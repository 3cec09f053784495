package org.ovss.runner.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The named protocols resolve to the hashes they had while they were files inside the runner (values computed by the
 * runner of commit fce3bbb under the protocol hash of version 2, before protocols became data files found in the
 * harness and its plugins): moving a file
 * into a plugin must not change what results.json records.
 */
class ProtocolHashesTest {
  private static final Map<String, String> BEFORE_THE_MOVE = Map.ofEntries(
      Map.entry("sclip/voc21", "b106634a12c0a8bbdda61be359bf1d9bfd236ff0f93649844e9d39beaa4d6d61"),
      Map.entry("sclip/context60", "0226d264e3685968a3d63b2e175e36bc9931d77b5ffe0295f2a65d386a3761f6"),
      Map.entry("sclip/coco-object", "0226d264e3685968a3d63b2e175e36bc9931d77b5ffe0295f2a65d386a3761f6"),
      Map.entry("sclip/synth-shapes", "9ba382af53be15049e5782bfa502312063ae4d9e9c6f93e8f524e9b57543b0ef"),
      Map.entry("sclip-paper/voc21", "fe4f0cc933efcfab5e79b9ba420c7159efbeead3d1b1a3edd838c485fbf4909a"),
      Map.entry("sclip-paper/context60", "e9f37c3a2513517846d91e5085a6e857f90ef4e88a589199faddeb96f18a822a"),
      Map.entry("sclip-paper/coco-object", "e9f37c3a2513517846d91e5085a6e857f90ef4e88a589199faddeb96f18a822a"),
      Map.entry("sclip-paper/synth-shapes", "15dfff0942c5f65dc0a8d78216065c679a372953971ad4d629f0ebe0f2b4a76f"),
      Map.entry("groupvit/voc21", "0b87a7c6d693bf95e27747b99f2a6a2fc698e5462a5eb0a3ed17ce1c8d220712"),
      Map.entry("groupvit/context60", "7de0d696dee198f7e01ef3ec2c84ad30aea650df6f3609ae8bdbd45ee0d37224"),
      Map.entry("groupvit/coco-object", "0b87a7c6d693bf95e27747b99f2a6a2fc698e5462a5eb0a3ed17ce1c8d220712"),
      Map.entry("groupvit/synth-shapes", "dbcc954b700a8a9d380a86410328895cbb19f0ca1c02dc068c6f768fb50bc5a8"),
      Map.entry("segclip/voc21", "77658363b306479196c4243be5b1850db78a9b28f389c6c5371a56da81bb5d47"),
      Map.entry("segclip/context60", "395f0f30746d940d9dbd138f776e27bde321268eeb04c088df9dbddcfeb89b8e"),
      Map.entry("segclip/coco-object", "7f1f2afa4b124285d07fe24f2774eccdd5e8024c82407961be796e286dd49ef3"),
      Map.entry("segclip/synth-shapes", "91dc486db851cd15ea280e0ad45947717ce36e440a97fbf2ca9aed1d6e5eb2ff"),
      Map.entry("clippy/voc21", "b7e022152c08d1d203d58605d4175780afcbee1e7e2368620e26051826f5d5ce"),
      Map.entry("clippy/context60", "b7e022152c08d1d203d58605d4175780afcbee1e7e2368620e26051826f5d5ce"),
      Map.entry("clippy/coco-object", "b7e022152c08d1d203d58605d4175780afcbee1e7e2368620e26051826f5d5ce"),
      Map.entry("clippy/synth-shapes", "b7e022152c08d1d203d58605d4175780afcbee1e7e2368620e26051826f5d5ce"),
      Map.entry("simseg/voc21", "564effdd18e9a833d9644e550ae4a0576055acb646c08b894500af5111b973e0"),
      Map.entry("simseg/context60", "564effdd18e9a833d9644e550ae4a0576055acb646c08b894500af5111b973e0"),
      Map.entry("simseg/coco-object", "52696d81631ba18e278b176323b195d82ca7a38bb85a258c6c1df03512f8d264"),
      Map.entry("simseg/synth-shapes", "9da1ff0c146468934fe5262c4d3e0c03aa10b9d312c65e3ddddfbf63cb73f874"),
      Map.entry("pacl/voc21", "2231f062e73b1f35a2121685134c22fab38c0cbfd90c3835f53309dd57d7cb24"),
      Map.entry("pacl/context60", "70fc320b6f98106b6cb1d4629c13cdd679638af158d9166ea944925fb7e81489"),
      Map.entry("pacl/coco-object", "70fc320b6f98106b6cb1d4629c13cdd679638af158d9166ea944925fb7e81489"),
      Map.entry("pacl/synth-shapes", "70fc320b6f98106b6cb1d4629c13cdd679638af158d9166ea944925fb7e81489"),
      Map.entry("synth/voc21", "ac2690236998799dfa5473f3d1dcf636c21cee276a9a2317a5af2787485a59d2"),
      Map.entry("synth/context60", "ac2690236998799dfa5473f3d1dcf636c21cee276a9a2317a5af2787485a59d2"),
      Map.entry("synth/coco-object", "ac2690236998799dfa5473f3d1dcf636c21cee276a9a2317a5af2787485a59d2"),
      Map.entry("synth/synth-shapes", "ac2690236998799dfa5473f3d1dcf636c21cee276a9a2317a5af2787485a59d2"));

  @Test
  void everyNamedProtocolKeepsItsHashAfterMovingIntoAPlugin() {
    BEFORE_THE_MOVE.forEach((key, hash) -> {
      String[] protocolAndDataset = key.split("/");
      assertThat(Protocols.resolve(protocolAndDataset[0], protocolAndDataset[1], Map.of()).hash()).as(key).isEqualTo(hash);
    });
    assertThat(Protocols.names()).containsExactly("clippy", "groupvit", "pacl", "sclip", "sclip-paper", "segclip", "simseg", "synth");
  }
}
