package org.ovss.clip.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import org.ovss.api.PromptSet;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.weights.ClipWeights;
import org.ovss.nn.Norms;

/**
 * CLIP's zero-shot image classification (image embedding against prompt-averaged class embeddings), the
 * sanity check that a CLIP trained here learned its concepts before anything is segmented with it.
 */
public final class ZeroShotClassifier implements AutoCloseable {
  private final NDManager manager = NDManager.newBaseManager();
  private final ClipModel model;
  private final ParameterStore parameters = new ParameterStore(manager, false);
  private final NDArray classEmbeddings; // [C, E], normalised

  /** Loads weights and the tokenizer beside them and encodes the classes. */
  public ZeroShotClassifier(Path weights, List<String> classes, PromptSet prompts) {
    model = ClipWeights.load(weights, manager, ClipWeights.Heads.DEFAULT);
    ClipTokenizer tokenizer = ClipTokenizer.fromDirectory(weights.toAbsolutePath().getParent());
    int context = model.config().contextLength();
    int t = prompts.templates().size();
    int[] ids = new int[classes.size() * t * context];
    for (int c = 0; c < classes.size(); c++) {
      for (int j = 0; j < t; j++) {
        int[] row = tokenizer.tokenize(prompts.apply(prompts.templates().get(j), classes.get(c)), context);
        System.arraycopy(row, 0, ids, (c * t + j) * context, context);
      }
    }
    NDArray text = Norms.l2Normalize(model.encodeText(parameters, manager.create(ids, new Shape((long) classes.size() * t, context)), false));
    classEmbeddings = Norms.l2Normalize(text.reshape(classes.size(), t, model.config().embedDim()).mean(new int[] {1}));
  }

  /**
   * Fraction of images whose best class is the label.
   *
   * @param images RGB in [0, 1], [3, R, R] each at the model's resolution
   */
  public double accuracy(List<float[]> images, int[] labels) {
    int res = model.config().imageResolution();
    int correct = 0;
    try (NDManager scope = manager.newSubManager()) {
      for (int start = 0; start < images.size(); start += 64) {
        int n = Math.min(64, images.size() - start);
        float[] batch = new float[n * 3 * res * res];
        for (int b = 0; b < n; b++) {
          ClipModel.normalizeImage(images.get(start + b), batch, b * 3 * res * res, res, false, false);
        }
        NDArray emb = Norms.l2Normalize(model.encodeImage(parameters, scope.create(batch, new Shape(n, 3, res, res)), false));
        long[] best = emb.matMul(classEmbeddings.transpose()).argMax(1).toLongArray();
        for (int b = 0; b < n; b++) {
          correct += best[b] == labels[start + b] ? 1 : 0;
        }
      }
    }
    return (double) correct / images.size();
  }


  @Override
  public void close() {
    manager.close();
  }
}
