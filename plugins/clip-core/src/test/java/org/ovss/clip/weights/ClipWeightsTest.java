package org.ovss.clip.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.clip.ParityFixture;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.ClipPresets;
import org.ovss.clip.model.NamedParameter;

/** Weights files that do not fit: each refused with the file and the tensor named. */
class ClipWeightsTest {
  @TempDir Path dir;

  /** Copies a fixture weights file, letting {@code edit} drop (return null) or replace tensors. */
  private Path rewrite(String source, String target, UnaryOperator<SafetensorsWriter.Tensor> edit) {
    List<SafetensorsWriter.Tensor> out = new ArrayList<>();
    try (TensorFile f = TensorFile.open(ParityFixture.dir().resolve(source))) {
      for (String name : f.names()) {
        SafetensorsWriter.Tensor t = SafetensorsWriter.Tensor.ofFloats(name, f.info(name).shape(), f.readFloats(name));
        SafetensorsWriter.Tensor edited = edit.apply(t);
        if (edited != null) {
          out.add(edited);
        }
      }
    }
    Path file = dir.resolve(target);
    SafetensorsWriter.write(file, out, Map.of("vision_heads", "2", "text_heads", "2"));
    return file;
  }

  private static ClipModel load(Path file, NDManager m) {
    return ClipWeights.load(file, m, ClipWeights.Heads.DEFAULT);
  }

  @Test
  void aFileWithoutClipTensorsIsNotTakenForClip() {
    Path file = dir.resolve("other.safetensors");
    SafetensorsWriter.write(file, List.of(SafetensorsWriter.Tensor.ofFloats("encoder.weight", new long[] {2}, new float[2])), Map.of());
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> load(file, m)).isInstanceOf(WeightsException.class)
          .hasMessageContaining("other.safetensors").hasMessageContaining("is not a CLIP checkpoint");
    }
  }

  @Test
  void aMissingTensorIsListed() {
    Path file = rewrite("weights-openai.safetensors", "missing.safetensors",
        t -> t.name().equals("visual.ln_post.bias") ? null : t);
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> load(file, m)).isInstanceOf(WeightsException.class)
          .hasMessageContaining("missing.safetensors").hasMessageContaining("visual.ln_post.bias");
    }
  }

  @Test
  void aTensorOfTheWrongShapeIsNamedWithBothShapes() {
    Path file = rewrite("weights-openai.safetensors", "shape.safetensors", t -> t.name().equals("visual.proj")
        ? SafetensorsWriter.Tensor.ofFloats(t.name(), new long[] {128, 33}, new float[128 * 33]) : t);
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> load(file, m)).isInstanceOf(WeightsException.class)
          .hasMessageContaining("shape.safetensors").hasMessageContaining("'visual.proj'")
          .hasMessageContaining("[128, 33]").hasMessageContaining("(128, 32)");
    }
  }

  @Test
  void hfQueryKeyValueOfDifferentShapesAreRefused() {
    Path file = rewrite("weights-hf.safetensors", "hf.safetensors",
        t -> t.name().equals("vision_model.encoder.layers.1.self_attn.k_proj.weight")
            ? SafetensorsWriter.Tensor.ofFloats(t.name(), new long[] {64, 128}, new float[64 * 128]) : t);
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> load(file, m)).isInstanceOf(WeightsException.class)
          .hasMessageContaining("hf.safetensors").hasMessageContaining("k_proj.weight");
    }
  }

  @Test
  void nonFiniteWeightsAreDetectedAtLoad() {
    Path file = rewrite("weights-openai.safetensors", "nan.safetensors", t -> {
      if (!t.name().equals("ln_final.weight")) {
        return t;
      }
      float[] v = new float[128];
      v[5] = Float.NaN;
      return SafetensorsWriter.Tensor.ofFloats(t.name(), t.shape(), v);
    });
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> load(file, m)).isInstanceOf(WeightsException.class)
          .hasMessageContaining("nan.safetensors").hasMessageContaining("'ln_final.weight'").hasMessageContaining("NaN");
    }
  }

  @Test
  void headCountsThatDoNotDivideTheWidthAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      Path file = ParityFixture.dir().resolve("weights-openai.safetensors");
      assertThatThrownBy(() -> ClipWeights.load(file, m, new ClipWeights.Heads(OptionalInt.of(3), OptionalInt.empty())))
          .isInstanceOf(WeightsException.class).hasMessageContaining("not divisible by 3 heads");
    }
  }

  @Test
  void architectureIsReadFromShapesAndConfig() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipConfig c = load(ParityFixture.dir().resolve("weights-hf.safetensors"), m).config();
      assertThat(c).isEqualTo(new ClipConfig(32, 32, 3, 128, 2, 8, 77, 1000, 128, 2, 2));
    }
  }

  @Test
  void savedWeightsLoadBackIdenticallyWithTheirHeadCounts() {
    Path file = ClipPresets.writeRandom("tiny", 11L, dir.resolve("tiny.safetensors"));
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel original = new ClipModel(ClipPresets.get("tiny"));
      original.initializeRandom(m, 11L);
      ClipModel loaded = load(file, m);
      assertThat(loaded.config()).isEqualTo(ClipPresets.get("tiny"));
      for (Map.Entry<String, NamedParameter> e : original.stateDict().entrySet()) {
        float[] got = loaded.stateDict().get(e.getKey()).parameter().getArray().toFloatArray();
        float[] want = e.getValue().parameter().getArray().toFloatArray();
        assertThat(java.util.Arrays.mismatch(got, want)).as(e.getKey() + " first differing index").isEqualTo(-1);
      }
    }
  }
}
