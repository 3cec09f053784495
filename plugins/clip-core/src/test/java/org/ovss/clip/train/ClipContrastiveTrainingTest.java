package org.ovss.clip.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.model.ClipModel;
import org.ovss.nn.Norms;

class ClipContrastiveTrainingTest {
  private static final ClipContrastiveTraining.Architecture TINY =
      new ClipContrastiveTraining.Architecture(16, 8, 32, 1, 2, 16, 32, 1, 2, 8);
  private static final int RES = 16;

  /** One pair whose image is mirror-symmetric, so the random flip of training does not change it. */
  private static ImageTextSource onePair(String caption, List<List<String>> words) {
    float[] image = new float[3 * RES * RES];
    Random random = new Random(5);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < RES; y++) {
        for (int x = 0; x < RES / 2; x++) {
          float v = random.nextFloat();
          image[(c * RES + y) * RES + x] = v;
          image[(c * RES + y) * RES + RES - 1 - x] = v;
        }
      }
    }
    return new Pairs(1, i -> image.clone(), i -> caption, i -> null, words);
  }

  @Test
  void aHardNegativeAddsItsCaptionToTheTextsTheImageIsToldApartFrom() {
    ImageTextSource data = onePair("a red circle on grass", List.of(List.of("circle", "star")));
    try (NDManager manager = NDManager.newBaseManager(); NDManager scope = manager.newSubManager()) {
      ClipContrastiveTraining training = ClipContrastiveTraining.fromScratch(data, TINY, 1, 3L, manager);
      // One pair, no negative: the true caption is the only text and the image the only image, a loss of 0.
      assertThat(training.loss(scope, 0, 0L).getFloat()).isEqualTo(0f);

      training.hardNegatives(1);
      float loss = training.loss(scope, 0, 0L).getFloat();
      // By hand: image-to-text is -log(e^p / (e^p + e^n)) with p, n the scaled cosines of the image with the caption
      // and with "a red star on grass"; text-to-image stays 0; the sum is halved (two directions, batch of 1).
      ClipModel model = training.model();
      ParameterStore ps = new ParameterStore(manager, false);
      float[] pixels = new float[3 * RES * RES];
      ClipModel.normalizeImage(data.image(0), pixels, 0, RES, false, false);
      float[] img = Norms.l2Normalize(model.encodeImage(ps, scope.create(pixels, new Shape(1, 3, RES, RES)), false))
          .toFloatArray();
      float[] pos = text(training, scope, ps, "a red circle on grass");
      float[] neg = text(training, scope, ps, "a red star on grass");
      double scale = Math.min(Math.exp(model.logitScale().getArray().getFloat()), 100);
      double p = scale * dot(img, pos);
      double n = scale * dot(img, neg);
      double expected = -(p - Math.log(Math.exp(p) + Math.exp(n))) / 2;
      assertThat(expected).isGreaterThan(0.01);
      assertThat((double) loss).isCloseTo(expected, within(1e-5));
    }
  }

  @Test
  void aCaptionWithoutAClassWordHasNoNegativeAndItsLossIsUnchanged() {
    ImageTextSource data = onePair("grass under a blue sky", List.of(List.of("circle", "star")));
    try (NDManager manager = NDManager.newBaseManager(); NDManager scope = manager.newSubManager()) {
      ClipContrastiveTraining training = ClipContrastiveTraining.fromScratch(data, TINY, 1, 3L, manager);
      float without = training.loss(scope, 4, 9L).getFloat();
      assertThat(training.hardNegatives(3).loss(scope, 4, 9L).getFloat()).isEqualTo(without);
    }
  }

  @Test
  void hardNegativesNeedClassWordsFromTheData() {
    ImageTextSource data = onePair("a red circle", List.of());
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipContrastiveTraining training = ClipContrastiveTraining.fromScratch(data, TINY, 1, 3L, manager);
      assertThatThrownBy(() -> training.hardNegatives(1)).isInstanceOf(InvalidInputException.class)
          .hasMessage("training setting hard-negatives needs captions whose class words the data names; this "
              + "training data names none");
      assertThatThrownBy(() -> training.hardNegatives(-1)).isInstanceOf(InvalidInputException.class)
          .hasMessage("training setting hard-negatives must be >= 0, got -1");
      assertThat(training.hardNegatives(0)).isSameAs(training);
    }
  }

  /** {@code groups.length} pairs, pair i in group {@code groups[i]}; every image read is recorded in {@code read}. */
  private static ImageTextSource recording(String[] groups, List<Integer> read) {
    return new Pairs(groups.length, i -> {
      read.add(i);
      return new float[3 * RES * RES];
    }, i -> "a shape on " + groups[i], i -> groups[i], List.of());
  }

  /** {@code size} pairs of RES x RES images, one caption each. */
  private record Pairs(int size, IntFunction<float[]> images, IntFunction<String> caption, IntFunction<String> groups,
      List<List<String>> contrastWords) implements ImageTextSource {
    @Override
    public float[] image(int index) {
      return images.apply(index);
    }

    @Override
    public int imageHeight(int index) {
      return RES;
    }

    @Override
    public int imageWidth(int index) {
      return RES;
    }

    @Override
    public List<String> captions(int index) {
      return List.of(caption.apply(index));
    }

    @Override
    public String group(int index) {
      return groups.apply(index);
    }
  }

  @Test
  void aBatchNeverHoldsOnePairTwice() {
    String[] groups = {"grass", "grass", "grass", "sky", "sky", "sky"};
    List<Integer> read = new java.util.ArrayList<>();
    ImageTextSource data = recording(groups, read);
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipContrastiveTraining training = ClipContrastiveTraining.fromScratch(data, TINY, 6, 3L, manager);
      for (int step = 0; step < 5; step++) {
        read.clear();
        try (NDManager scope = manager.newSubManager()) {
          training.loss(scope, step, 11L);
        }
        // A batch as large as the data: each pair exactly once, whatever the step's random draws.
        assertThat(read).as("step %d", step).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
      }
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipContrastiveTraining training = ClipContrastiveTraining.fromScratch(data, TINY, 3, 3L, manager).groupBatches(true);
      for (int step = 0; step < 5; step++) {
        read.clear();
        try (NDManager scope = manager.newSubManager()) {
          training.loss(scope, step, 11L);
        }
        // One group per batch, all three of its pairs.
        assertThat(read.stream().sorted().toList()).as("step %d", step).isIn(List.of(0, 1, 2), List.of(3, 4, 5));
      }
    }
  }

  @Test
  void groupBatchesNeedAFullBatchInEveryGroup() {
    ImageTextSource data = recording(new String[] {"grass", "grass", "grass", "sky", "sky"}, new java.util.ArrayList<>());
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipContrastiveTraining training = ClipContrastiveTraining.fromScratch(data, TINY, 3, 3L, manager);
      assertThatThrownBy(() -> training.groupBatches(true)).isInstanceOf(InvalidInputException.class)
          .hasMessage("training setting group-batches needs a batch of distinct pairs from every group, but group "
              + "'sky' holds 2 pairs, fewer than the batch size 3");
      assertThat(training.groupBatches(false)).isSameAs(training);
    }
  }

  private static float[] text(ClipContrastiveTraining training, NDManager scope, ParameterStore ps, String caption) {
    int context = training.model().config().contextLength();
    int[] ids = training.tokenizer().tokenize(caption, context);
    return Norms.l2Normalize(training.model().encodeText(ps, scope.create(ids, new Shape(1, context)), false))
        .toFloatArray();
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
