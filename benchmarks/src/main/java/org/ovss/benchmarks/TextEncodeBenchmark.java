package org.ovss.benchmarks;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ovss.api.PromptSet;
import org.ovss.clip.tokenizer.ClipTokenizer;

/**
 * A 171-class vocabulary (COCO-Stuff's size) with the 80 OpenAI templates through a random CLIP text tower:
 * 13,680 prompts, tokenised and encoded in batches of 256, as ClipDenseMethod does once per vocabulary, on each
 * engine and precision ({@code execution}: pytorch, onnxruntime-fp32, onnxruntime-int8).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(1)
public class TextEncodeBenchmark extends RandomClipState {
  @Param({"171"})
  public int classes;

  @Param({"256"})
  public int batch;

  private ClipTokenizer tokenizer;
  private List<String> prompts;

  @Override
  protected void prepare() {
    tokenizer = ClipTokenizer.bundledClipVocabulary();
    PromptSet set = PromptSet.named("openai-imagenet-80");
    prompts = new java.util.ArrayList<>();
    for (int c = 0; c < classes; c++) {
      for (String t : set.templates()) {
        prompts.add(set.apply(t, "object " + c));
      }
    }
  }

  @Benchmark
  public float encodeVocabulary() {
    int context = model.config().contextLength();
    float sum = 0;
    for (int start = 0; start < prompts.size(); start += batch) {
      List<String> chunk = prompts.subList(start, Math.min(prompts.size(), start + batch));
      int[] ids = new int[chunk.size() * context];
      for (int i = 0; i < chunk.size(); i++) {
        System.arraycopy(tokenizer.tokenize(chunk.get(i), context), 0, ids, i * context, context);
      }
      try (NDManager scope = manager.newSubManager()) {
        ai.djl.ndarray.NDArray in = scope.create(ids, new Shape(chunk.size(), context));
        sum += (onnx != null ? onnx.text(in) : model.encodeText(parameters, in, false)).getFloat(0, 0);
      }
    }
    return sum;
  }
}
