package org.ovss.benchmarks;

import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.ovss.api.ImageContext;
import org.ovss.api.PostProcessor;
import org.ovss.postprocess.DenseCrfProvider;
import org.ovss.postprocess.PamrProvider;

/**
 * DenseCRF at 512x512 with 21 classes, 5 mean-field iterations and SimSeg's kernels (the issue compares it with
 * pydensecrf's 2.7 s single-threaded), and SCLIP's PAMR (10 iterations, dilations 8 and 16) at 375x500.
 */
public class PostprocessBenchmark extends MillisecondsPerCall {
  private PostProcessor crf;
  private float[] crfProbs;
  private ImageContext crfImage;
  private PostProcessor pamr;
  private float[] pamrLogits;
  private ImageContext pamrImage;

  @Setup(Level.Trial)
  public void setUp() {
    crf = new DenseCrfProvider().create(Map.of("iterations", "5"));
    crfProbs = Common.probabilities(21, 512, 512, 1L);
    float[] rgb = Common.image(512, 512, 2L);
    crfImage = new ImageContext(512, 512, rgb, rgb);
    pamr = new PamrProvider().create(Map.of());
    pamrLogits = Common.uniform(21 * 375 * 500, 1f, 3L);
    float[] img = Common.image(375, 500, 4L);
    pamrImage = new ImageContext(375, 500, img, img);
  }

  @Benchmark
  public float[] denseCrf512Classes21Iterations5() {
    return crf.refine(crfProbs, 21, 512, 512, crfImage);
  }

  @Benchmark
  public float[] pamr375x500Classes21() {
    return pamr.refine(pamrLogits, 21, 375, 500, pamrImage);
  }
}
