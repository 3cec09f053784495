package org.ovss.runner.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovss.api.TrainSpec;
import org.ovss.api.Trainable;
import org.ovss.clip.io.TensorFile;
import org.ovss.fixtures.Fixtures;

/**
 * The engine's AdamW step against {@code torch.optim.AdamW}'s on a real model: the GroupViT training-step fixture
 * set ({@code -Dovss.parity.dir}, default the bundled {@code fixtures/parity/groupvit-train-tiny}) holds every
 * parameter before and after one official step and the (clipped) gradients of that step. The engine gets those
 * gradients (a loss sum(p * g) whose gradient is g), the optimiser settings and the decay groups of the set's
 * config, and must end at the official parameters within the README's 1e-5 wherever |g| > 1e-6.
 */
class AdamWParityTest {
  @TempDir Path dir;

  @Test
  void oneStepOnTheOfficialGradientsEndsAtTheOfficialParameters() throws Exception {
    Path set = Fixtures.parityDir("groupvit-train-tiny");
    Path io = set.resolve("groupvit-train-io.safetensors");
    Assumptions.assumeTrue(Files.isRegularFile(io), set + " holds no groupvit-train-io.safetensors: another kind of set");
    JsonNode opt = new ObjectMapper().readTree(set.resolve("groupvit-train-config.json").toFile()).get("optimizer");
    Set<String> noDecay = new HashSet<>();
    opt.get("no_decay_names").forEach(n -> noDecay.add(n.asText()));
    try (NDManager m = NDManager.newBaseManager();
        TensorFile weights = TensorFile.open(set.resolve("weights-groupvit.safetensors"));
        TensorFile f = TensorFile.open(io)) {
      Map<String, NDArray> params = new LinkedHashMap<>();
      Map<String, NDArray> grads = new LinkedHashMap<>();
      for (String name : f.names()) {
        if (name.startsWith("grad.")) {
          String p = name.substring("grad.".length());
          Shape shape = new Shape(weights.info(p).shape());
          params.put(p, m.create(weights.readFloats(p), shape));
          grads.put(p, m.create(f.readFloats(name), shape));
        }
      }
      Trainable model = new Trainable() {
        @Override
        public Map<String, NDArray> parameters() {
          return params;
        }

        @Override
        public NDArray loss(NDManager scope, int step, long seed) {
          NDArray sum = scope.zeros(new Shape());
          for (Map.Entry<String, NDArray> e : params.entrySet()) {
            sum = sum.add(e.getValue().mul(grads.get(e.getKey())).sum());
          }
          return sum;
        }

        @Override
        public boolean decays(String name, NDArray parameter) {
          return !noDecay.contains(name);
        }

        @Override
        public Path export(Path directory) {
          return directory.resolve("unused");
        }
      };
      String lr = opt.get("lr").asText();
      Map<String, String> config = Map.of("lr", lr, "min-lr", lr, "warmup-steps", "0",
          "beta1", opt.get("betas").get(0).asText(), "beta2", opt.get("betas").get(1).asText(),
          "eps", opt.get("eps").asText(), "weight-decay", opt.get("weight_decay").asText(),
          "clip-norm", opt.get("clip_grad_norm").asText());
      new DjlTrainingEngine().fit(model, new TrainSpec(dir, 1, 0, config), (s, t, l, r) -> { });
      List<String> failed = new ArrayList<>();
      double worst = 0;
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        float[] ours = e.getValue().toFloatArray();
        float[] ref = f.readFloats("after." + e.getKey());
        float[] g = grads.get(e.getKey()).toFloatArray();
        for (int i = 0; i < ours.length; i++) {
          if (Math.abs(g[i]) > 1e-6) {
            double err = Math.abs((double) ours[i] - ref[i]);
            worst = Math.max(worst, err);
            if (!(err <= 1e-5)) {
              failed.add(e.getKey() + "[" + i + "]");
            }
          }
        }
      }
      System.out.printf("AdamW parity on %s: %d tensors, max abs error %.3g%n", set.getFileName(), params.size(), worst);
      assertThat(failed).isEmpty();
      assertThat(params).hasSizeGreaterThan(100);
    }
  }
}
