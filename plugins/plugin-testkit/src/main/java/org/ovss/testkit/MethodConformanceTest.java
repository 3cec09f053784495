package org.ovss.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.Capability;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InputSpec;
import org.ovss.api.MethodConfig;
import org.ovss.api.MethodInfo;
import org.ovss.api.MethodProvider;
import org.ovss.api.Papers;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;
import org.ovss.api.TrainListener;
import org.ovss.api.TrainSpec;
import org.ovss.api.UnsupportedCapabilityException;
import org.ovss.api.plugins.PluginRegistry;

/**
 * The contract every method plugin meets. A plugin's test extends this class and says how to open the
 * method; the checks here run against whatever capabilities the method declares.
 */
public abstract class MethodConformanceTest {

  @TempDir protected Path tempDir;

  /** The provider under test (a new instance, as the plugin registry would make). */
  protected abstract MethodProvider provider();

  /** A configuration that opens the method (weights and tokenizer in {@link #tempDir} or fixtures). */
  protected abstract MethodConfig config(Path tempDir);

  /** The vocabulary used by the checks: three classes, one with synonyms. */
  protected List<ClassPrompt> vocabulary() {
    return List.of(
        ClassPrompt.of("dog"),
        new ClassPrompt("person", List.of("person", "person in shirt")),
        ClassPrompt.of("sky"));
  }

  protected PromptSet prompts() {
    return new PromptSet("test", List.of("a photo of a {}.", "a drawing of the {}."));
  }

  @Test
  void providerIsRegisteredForTheHarness() {
    List<String> ids = new ArrayList<>();
    for (MethodProvider p : PluginRegistry.get().all(MethodProvider.class)) {
      ids.add(p.id());
    }
    assertThat(ids).as("ids registered in META-INF/services/" + MethodProvider.class.getName()).contains(provider().id());
  }

  @Test
  void infoIsComplete() {
    MethodInfo info = provider().info();
    assertThat(provider().id()).isEqualTo(info.id());
    assertThat(info.displayName()).isNotBlank();
    assertThat(Papers.find(info.paper())).as("paper '%s' in the citation registry (org/ovss/api/papers.json)", info.paper())
        .isPresent();
    assertThat(info.defaultProtocol()).isNotBlank();
    assertThat(info.capabilities()).isNotEmpty();
  }

  @Test
  void openedMethodReportsTheSameInfo() {
    try (SegmentationMethod method = provider().open(config(tempDir))) {
      assertThat(method.info()).isEqualTo(provider().info());
      InputSpec spec = method.inputSpec();
      assertThat(spec.resolution()).isPositive();
      assertThat(spec.resolution() % spec.patchSize()).isZero();
    }
  }

  @Test
  void encodeGivesNormalisedQueriesAndDenseFeatures() {
    if (!provider().info().has(Capability.ENCODE)) {
      return;
    }
    try (SegmentationMethod method = provider().open(config(tempDir)); NDManager m = NDManager.newBaseManager()) {
      QueryEmbeddings q = method.encodeText(vocabulary(), prompts());
      int queries = vocabulary().stream().mapToInt(c -> c.queries().size()).sum();
      assertThat(q.queryCount()).isEqualTo(queries);
      assertThat(q.classCount()).isEqualTo(vocabulary().size());
      assertThat(q.queryClass()).containsExactly(0, 1, 1, 2);
      float[] norms = q.embeddings().norm(new int[] {1}).toFloatArray();
      for (float n : norms) {
        assertThat(n).as("query embedding norm").isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
      }
      InputSpec spec = method.inputSpec();
      NDArray windows = windows(m, spec, 2, 1L);
      NDArray features = method.encodeImage(windows);
      int grid = spec.resolution() / spec.patchSize();
      assertThat(features.getShape().dimension()).isEqualTo(4);
      assertThat(features.getShape().get(0)).isEqualTo(2);
      assertThat(features.getShape().get(2)).isEqualTo(grid);
      assertThat(features.getShape().get(3)).isEqualTo(grid);
      assertFinite(features, "encodeImage");
    }
  }

  @Test
  void segmentGivesFinitePerQueryLogitsIndependentOfTheBatch() {
    if (!provider().info().has(Capability.SEGMENT)) {
      return;
    }
    try (SegmentationMethod method = provider().open(config(tempDir)); NDManager m = NDManager.newBaseManager()) {
      QueryEmbeddings q = method.encodeText(vocabulary(), prompts());
      InputSpec spec = method.inputSpec();
      NDArray windows = windows(m, spec, 2, 2L);
      NDArray logits = method.segment(windows, q);
      int grid = spec.resolution() / spec.patchSize();
      assertThat(logits.getShape()).isEqualTo(new Shape(2, q.queryCount(), grid, grid));
      assertFinite(logits, "segment");
      // A window's logits must not depend on the other windows of its batch: the runner batches freely.
      NDArray alone = method.segment(windows.get("1:2"), q);
      float[] batched = logits.get("1:2").toFloatArray();
      float[] single = alone.toFloatArray();
      for (int i = 0; i < single.length; i++) {
        assertThat(Math.abs(batched[i] - single[i])).as("batched vs single logit " + i).isLessThan(1e-4f);
      }
      // Same input, same output.
      assertThat(java.util.Arrays.mismatch(method.segment(windows, q).toFloatArray(), logits.toFloatArray()))
          .as("first index where a repeated segment call differs").isEqualTo(-1);
    }
  }

  @Test
  void undeclaredCapabilitiesThrowTheUnsupportedCapabilityError() {
    EnumSet<Capability> missing = EnumSet.allOf(Capability.class);
    missing.removeAll(provider().info().capabilities());
    if (missing.isEmpty()) {
      return;
    }
    try (SegmentationMethod method = provider().open(config(tempDir)); NDManager m = NDManager.newBaseManager()) {
      InputSpec spec = method.inputSpec();
      NDArray windows = windows(m, spec, 1, 3L);
      for (Capability c : missing) {
        switch (c) {
          case ENCODE -> {
            assertThatThrownBy(() -> method.encodeText(vocabulary(), prompts()))
                .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining(provider().id());
            assertThatThrownBy(() -> method.encodeImage(windows)).isInstanceOf(UnsupportedCapabilityException.class);
          }
          case SEGMENT -> assertThatThrownBy(() -> method.segment(windows, null))
              .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("SEGMENT");
          case TRAIN -> assertThatThrownBy(() -> method.train(
                  new TrainSpec(tempDir.resolve("train"), 1, 0L, java.util.Map.of()), null, null, TrainListener.NONE))
              .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("TRAIN");
        }
      }
    }
  }

  /** Seeded windows of CLIP-normalised values [b, 3, R, R]. */
  protected static NDArray windows(NDManager m, InputSpec spec, int b, long seed) {
    int r = spec.resolution();
    float[] v = new float[b * 3 * r * r];
    Random random = new Random(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return m.create(v, new Shape(b, 3, r, r));
  }

  private static void assertFinite(NDArray a, String what) {
    for (float f : a.toFloatArray()) {
      assertThat(Float.isFinite(f)).as(what + " values are finite").isTrue();
    }
  }
}
