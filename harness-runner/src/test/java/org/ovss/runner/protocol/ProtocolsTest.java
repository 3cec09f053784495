package org.ovss.runner.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ovss.leaderboards.ProtocolHash;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.Execution;
import org.ovss.api.InvalidInputException;
import org.ovss.api.UnknownNameException;

class ProtocolsTest {
  /** A path into the team's reference folder, which users of the project never have. */
  private static final String OUR_FILES = "(?i)(shared|notes|seeds)[/]|seed 0";

  @Test
  void int8IsPartOfTheProtocolAndItsHashWhileFp32LeavesBothAsTheyWere() throws Exception {
    Protocols.Resolved fp32 = Protocols.resolve("sclip", "voc21", Map.of());
    assertThat(Protocols.withPrecision(fp32, Execution.Precision.FP32)).isSameAs(fp32);
    Protocols.Resolved int8 = Protocols.withPrecision(fp32, Execution.Precision.INT8);
    assertThat(int8.canonicalJson()).contains("\"precision\":\"int8\"");
    assertThat(int8.hash()).isNotEqualTo(fp32.hash())
        .isEqualTo(ProtocolHash.of(new ObjectMapper().readTree(int8.canonicalJson())));
    assertThat(int8.canonicalJson().replace(",\"precision\":\"int8\"", "")).isEqualTo(fp32.canonicalJson());
  }

  @Test
  void sclipCarriesItsPerDatasetConstants() {
    Protocol voc21 = Protocols.resolve("sclip", "voc21", Map.of()).protocol();
    assertThat(voc21.shortSide()).isEqualTo(336);
    assertThat(voc21.crop()).isEqualTo(224);
    assertThat(voc21.stride()).isEqualTo(112);
    assertThat(voc21.logitScale()).isEqualTo(65.0);
    assertThat(voc21.probThreshold()).isEqualTo(0.1);
    assertThat(voc21.areaThreshold()).isEqualTo(0.1);
    assertThat(voc21.prompts()).isEqualTo("openai-imagenet-80");
    Protocol ctx60 = Protocols.resolve("sclip", "context60", Map.of()).protocol();
    assertThat(ctx60.logitScale()).isEqualTo(50.0);
    assertThat(ctx60.areaThreshold()).isNull();
    assertThat(Protocols.resolve("sclip", "coco-object", Map.of()).protocol().logitScale()).isEqualTo(50.0);
    assertThat(Protocols.resolve("sclip", "voc20", Map.of()).protocol().logitScale()).isEqualTo(40.0);
    assertThat(Protocols.resolve("sclip", "cityscapes", Map.of()).protocol().shortSide()).isEqualTo(560);
    assertThat(Protocols.resolve("sclip", "coco-stuff", Map.of()).protocol().shortSide()).isEqualTo(448);
    assertThat(Protocols.resolve("sclip-paper", "coco-stuff", Map.of()).protocol().shortSide()).isEqualTo(336);
    assertThat(Protocols.resolve("sclip-paper", "cityscapes", Map.of()).protocol().shortSide()).isEqualTo(560);
  }

  @Test
  void groupvitAndSegclipThresholds() {
    assertThat(Protocols.resolve("groupvit", "voc21", Map.of()).protocol().bgThreshold()).isEqualTo(0.95);
    assertThat(Protocols.resolve("groupvit", "context60", Map.of()).protocol().bgThreshold()).isEqualTo(0.35);
    assertThat(Protocols.resolve("segclip", "coco-object", Map.of()).protocol().bgThreshold()).isEqualTo(0.65);
    assertThat(Protocols.resolve("segclip", "voc21", Map.of()).protocol().crop()).isEqualTo(224);
  }

  @Test
  void simsegResizesToASquareAndSetsTheOfficialTopClassesOnCocoObject() {
    Protocol voc = Protocols.resolve("simseg", "voc21", Map.of()).protocol();
    assertThat(voc.resizedSize(375, 500)).containsExactly(288, 288);
    assertThat(voc.resizedSize(500, 333)).containsExactly(288, 288);
    Protocol coco = Protocols.resolve("simseg", "coco-object", Map.of()).protocol();
    assertThat(coco.methodOptions()).isEqualTo(Map.of("simseg", Map.of("top-classes", "10")));
    assertThat(voc.methodOptions()).isNull();
    org.ovss.api.MethodConfig none = org.ovss.api.MethodConfig.of(Path.of("w.safetensors"), null);
    assertThat(coco.methodConfig("simseg", none).options()).containsExactly(Map.entry("top-classes", "10"));
    assertThat(coco.methodConfig("simseg", none.withOptions(Map.of("top-classes", "half", "crf", "off"))).options())
        .containsOnly(Map.entry("top-classes", "half"), Map.entry("crf", "off")); // the user's own option wins
    assertThat(coco.methodConfig("clip", none)).isSameAs(none);
    assertThat(voc.methodConfig("simseg", none)).isSameAs(none);
    // Protocols without the new keys keep an aspect-preserving resize and a canonical JSON without them
    Protocols.Resolved sclip = Protocols.resolve("sclip", "voc21", Map.of());
    assertThat(sclip.protocol().resizedSize(375, 500)).containsExactly(336, 448);
    assertThat(sclip.canonicalJson()).doesNotContain("keepRatio").doesNotContain("methodOptions");
  }

  @Test
  void overridesChangeTheHashAndAreRecorded() {
    Protocols.Resolved base = Protocols.resolve("sclip", "voc20", Map.of());
    Protocols.Resolved changed = Protocols.resolve("sclip", "voc20", Map.of("stride", "56", "pamr", "iterations=10;dilations=8,16"));
    assertThat(changed.protocol().stride()).isEqualTo(56);
    assertThat(changed.protocol().pamr()).containsEntry("dilations", "8,16");
    assertThat(changed.hash()).isNotEqualTo(base.hash()).hasSize(64);
    assertThat(Protocols.resolve("sclip", "voc20", Map.of()).hash()).isEqualTo(base.hash());
  }

  @Test
  void theHashCoversNameAndValuesNotDescriptionOrCitation(@TempDir Path dir) throws Exception {
    String base = Protocols.resolve("sclip", "voc21", Map.of()).hash();
    Path reworded = Files.writeString(dir.resolve("reworded.json"), """
        {"extends": "sclip", "description": "the same values, described and cited otherwise",
         "paper": "clip-2021", "source": "somewhere else entirely"}
        """);
    Protocols.Resolved r = Protocols.resolve(reworded.toString(), "voc21", Map.of());
    assertThat(r.protocol().source()).isEqualTo("somewhere else entirely");
    assertThat(r.hash()).isEqualTo(base);
    Path noPaper = Files.writeString(dir.resolve("nopaper.json"), "{\"extends\": \"sclip\", \"paper\": null}");
    assertThat(Protocols.resolve(noPaper.toString(), "voc21", Map.of()).hash()).isEqualTo(base);

    Path oneValue = Files.writeString(dir.resolve("scale.json"), "{\"extends\": \"sclip\", \"logitScale\": 40.0}");
    assertThat(Protocols.resolve(oneValue.toString(), "voc20", Map.of()).hash()).as("voc20's logit scale is 40 already")
        .isEqualTo(Protocols.resolve("sclip", "voc20", Map.of()).hash());
    for (String value : new String[] {"shortSide=448", "stride=56", "prompts=a-photo-of", "probThreshold=0.2",
        "areaThreshold=off", "crf=iterations=5", "classNames=alt"}) {
      String[] kv = value.split("=", 2);
      assertThat(Protocols.resolve("sclip", "voc21", Map.of(kv[0], kv[1])).hash()).as(value).isNotEqualTo(base);
    }
    Path renamed = Files.writeString(dir.resolve("renamed.json"), "{\"extends\": \"sclip\", \"name\": \"mine\"}");
    assertThat(Protocols.resolve(renamed.toString(), "voc21", Map.of()).hash())
        .as("boards select results by protocol name: a renamed protocol is another one").isNotEqualTo(base);
  }

  @Test
  void builtInProtocolsCiteRegisteredPapersAndNoFilesOfOurs() {
    for (String name : Protocols.names()) {
      Protocol p = Protocols.resolve(name, "voc21", Map.of()).protocol();
      assertThat(p.citation()).as(name).isNotBlank().doesNotContainPattern(OUR_FILES);
      if (!name.equals("synth")) {
        assertThat(p.paper()).as(name).isNotNull();
      }
    }
    assertThat(Protocols.resolve("sclip-paper", "voc21", Map.of()).protocol().citation()).isEqualTo("Wang, Mei, Yuille."
        + " SCLIP: Rethinking Self-Attention for Dense Vision-Language Inference. ECCV 2024 (arXiv:2312.01597);"
        + " Section 4.1 (Experiment Settings)");
  }

  @Test
  void aProtocolCitingAnUnknownPaperIsRefused(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"extends\": \"sclip\", \"paper\": \"sclip\"}");
    assertThatThrownBy(() -> Protocols.resolve(bad.toString(), "voc21", Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("protocol " + bad + " cites unknown paper 'sclip'; available: clip-2021, ");
  }

  @Test
  void invalidValuesAreNamed() {
    assertThatThrownBy(() -> Protocols.resolve("sclip", "voc20", Map.of("stride", "300")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("stride 300 is larger than crop 224");
    assertThatThrownBy(() -> Protocols.resolve("sclip", "voc20", Map.of("probThreshold", "-0.1")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("probThreshold");
    assertThatThrownBy(() -> Protocols.resolve("sclip", "voc20", Map.of("crop", "abc")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("crop needs a number");
    assertThatThrownBy(() -> Protocols.resolve("sclip", "voc20", Map.of("colour", "red")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown protocol setting 'colour'");
  }

  @Test
  void unknownProtocolListsTheBuiltIns() {
    assertThatThrownBy(() -> Protocols.resolve("sclipp", "voc20", Map.of()))
        .isInstanceOf(UnknownNameException.class).hasMessageContaining("sclip, sclip-paper");
  }

  @Test
  void userProtocolFilesExtendBuiltInsAndRefuseUnknownKeys(@TempDir Path dir) throws Exception {
    Path mine = Files.writeString(dir.resolve("mine.json"), "{\"extends\": \"sclip\", \"name\": \"mine\", \"crop\": 336}");
    Protocol p = Protocols.resolve(mine.toString(), "voc21", Map.of()).protocol();
    assertThat(p.crop()).isEqualTo(336);
    assertThat(p.logitScale()).isEqualTo(65.0);
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"extends\": \"sclip\", \"cropp\": 336}");
    assertThatThrownBy(() -> Protocols.resolve(bad.toString(), "voc21", Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown key 'cropp'");
  }
}
