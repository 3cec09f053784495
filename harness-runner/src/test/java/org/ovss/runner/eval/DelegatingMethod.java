package org.ovss.runner.eval;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.ovss.api.ClassPrompt;
import org.ovss.api.InputSpec;
import org.ovss.api.MethodInfo;
import org.ovss.api.PromptSet;
import org.ovss.api.QueryEmbeddings;
import org.ovss.api.SegmentationMethod;

/** A method that passes every call to a real one, for tests that watch the calls; closing it leaves the real one open. */
class DelegatingMethod implements SegmentationMethod {
  protected final SegmentationMethod real;

  DelegatingMethod(SegmentationMethod real) {
    this.real = real;
  }

  @Override
  public MethodInfo info() {
    return real.info();
  }

  @Override
  public InputSpec inputSpec() {
    return real.inputSpec();
  }

  @Override
  public QueryEmbeddings encodeText(List<ClassPrompt> classes, PromptSet prompts) {
    return real.encodeText(classes, prompts);
  }

  @Override
  public NDArray encodeImage(NDArray windows) {
    return real.encodeImage(windows);
  }

  @Override
  public NDArray segment(NDArray windows, QueryEmbeddings queries) {
    return real.segment(windows, queries);
  }

  @Override
  public void close() {
    // the real method is closed by its owner
  }
}
