package org.ovss.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.ovss.api.ImageContext;
import org.ovss.api.PostProcessor;
import org.ovss.postprocess.DenseCrfProvider;

/**
 * The JMH DenseCRF case (512x512, 21 classes, 5 iterations, SimSeg's kernels) timed by the CPU time it consumes as
 * well as by the wall clock: on a shared machine the wall time mostly measures the neighbours, while the CPU seconds
 * summed over threads are what one core alone would need, the figure pydensecrf's single-threaded 2.7 s compares
 * with. Usage: {@code java -cp benchmarks/target/benchmarks.jar org.ovss.benchmarks.DenseCrfCpuTime [runs]}.
 */
public final class DenseCrfCpuTime {
  private DenseCrfCpuTime() {}

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    PostProcessor crf = new DenseCrfProvider().create(Map.of("iterations", "5"));
    float[] probs = Common.probabilities(21, 512, 512, 1L);
    float[] rgb = Common.image(512, 512, 2L);
    ImageContext image = new ImageContext(512, 512, rgb, rgb);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    crf.refine(probs, 21, 512, 512, image); // warm-up: JIT and pool threads
    for (int i = 0; i < runs; i++) {
      long cpu = os.getProcessCpuTime();
      long wall = System.nanoTime();
      crf.refine(probs, 21, 512, 512, image);
      System.out.printf("densecrf 512x512 21 classes 5 iterations: wall %.3f s, cpu %.3f s%n",
          (System.nanoTime() - wall) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9);
    }
  }
}
