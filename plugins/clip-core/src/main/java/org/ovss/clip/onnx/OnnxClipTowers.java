package org.ovss.clip.onnx;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.onnxruntime.engine.OrtNDManager;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import org.ovss.api.Execution;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.model.AttentionMode;
import org.ovss.clip.model.ClipConfig;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;

/**
 * A loaded CLIP's towers run by DJL's OnnxRuntime engine: each tower, mode and input size is exported once
 * ({@link ClipOnnxExport}, kept in an {@link OnnxCache}) and loaded once per instance. Inputs come from and
 * outputs go back to the caller's (PyTorch) manager, so the NDArray work around the encoders stays on PyTorch;
 * the only copies are the batch in and the tokens out, one of each per forward.
 */
public final class OnnxClipTowers implements AutoCloseable {
  private final ClipModel model;
  private final Execution execution;
  private final OnnxCache cache;
  private final Map<String, Loaded> loaded = new LinkedHashMap<>();
  private final ParameterStore noParameters = new ParameterStore();
  private String weightsKey;

  public OnnxClipTowers(ClipModel model, Execution execution, OnnxCache cache) {
    if (execution.engine() != Execution.Engine.ONNXRUNTIME) {
      throw new IllegalArgumentException("not an onnxruntime execution: " + execution);
    }
    this.model = model;
    this.execution = execution;
    this.cache = cache;
  }

  /**
   * As {@code VisionTransformer.forwardTokens}: [B, 1 + (H/p)(W/p), E] for images [B, 3, H, W], attached to the
   * images' manager.
   */
  public NDArray imageTokens(NDArray images, AttentionMode lastBlock) {
    long[] s = images.getShape().getShape();
    int p = model.config().patchSize();
    if (s.length != 4 || s[1] != 3 || s[2] < p || s[3] < p) {
      throw new IllegalArgumentException("images must be [B, 3, H, W] with H, W at least the patch size " + p + ", got "
          + images.getShape());
    }
    int h = (int) s[2];
    int w = (int) s[3];
    String key = key("image", lastBlock.name().toLowerCase(Locale.ROOT), h + "x" + w);
    return run(key, images, out -> new ClipOnnxExport(model, execution.precision()).writeImage(lastBlock, h, w, out));
  }

  /** As {@code TextTransformer.forward} on int32 ids [B, context length]: embeddings [B, E] in the ids' manager. */
  public NDArray text(NDArray ids) {
    ClipConfig c = model.config();
    if (ids.getShape().dimension() != 2 || ids.getShape().get(1) != c.contextLength()) {
      throw new IllegalArgumentException("token ids must be [B, " + c.contextLength() + "], got " + ids.getShape());
    }
    return run(key("text", "causal", Integer.toString(c.contextLength())), ids,
        out -> new ClipOnnxExport(model, execution.precision()).writeText(out));
  }

  private synchronized NDArray run(String key, NDArray input, org.ovss.datasets.AtomicFiles.Body export) {
    Loaded m = loaded.get(key);
    if (m == null) {
      m = load(cache.getOrExport(key, export));
      loaded.put(key, m);
    }
    NDManager caller = input.getManager();
    NDList out = m.block().forward(noParameters, new NDList(input), false);
    NDArray result = caller.from(out.head()); // the engine's array copied into the caller's manager
    if (result != out.head()) {
      out.close();
    }
    return result;
  }

  /**
   * A session on DJL's OnnxRuntime engine: the session options are set here (DJL's model loader cannot set the
   * spinning policy), the session wrapped in DJL's {@link OrtSymbolBlock} with a manager of that engine.
   */
  private Loaded load(Path file) {
    try {
      Engine engine = Engine.getEngine("OnnxRuntime"); // first: DJL's engine creates the process's environment
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setInterOpNumThreads(1);
      String threads = System.getProperty(THREADS_PROPERTY);
      if (threads != null) {
        options.setIntraOpNumThreads(Integer.parseInt(threads.strip()));
      }
      // Idle pool threads sleep instead of spinning: on a machine shared with other work, spinning threads take
      // the cores the working ones need (-Dovss.ort.spinning=true restores ONNX Runtime's default).
      options.addConfigEntry("session.intra_op.allow_spinning", Boolean.getBoolean(SPINNING_PROPERTY) ? "1" : "0");
      int gpu = execution.gpuIndex();
      if ("tensorrt".equals(execution.ep())) {
        options.addTensorrt(gpu);
        options.addCUDA(gpu); // for the nodes TensorRT does not take
      } else if (gpu >= 0) {
        options.addCUDA(gpu);
      }
      OrtSession session = env.createSession(file.toString(), options);
      OrtNDManager manager = (OrtNDManager) engine.newBaseManager(device());
      return new Loaded(new OrtSymbolBlock(session, manager), manager, options);
    } catch (OrtException | RuntimeException e) {
      throw new InvalidInputException("cannot load the ONNX model " + file + " in ONNX Runtime (" + execution.device()
          + (execution.ep() == null ? "" : ", " + execution.ep()) + "): " + e.getMessage(), e);
    }
  }

  /** System property: let ONNX Runtime's idle pool threads spin (its default); off here. */
  public static final String SPINNING_PROPERTY = "ovss.ort.spinning";

  private record Loaded(OrtSymbolBlock block, OrtNDManager manager, OrtSession.SessionOptions options)
      implements AutoCloseable {
    @Override
    public void close() {
      block.close();
      manager.close();
      options.close();
    }
  }

  /**
   * The intra-op thread count of both engines: the property the runner's {@code --threads} sets for libtorch
   * (ONNX Runtime's own default is one thread per core).
   */
  public static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

  private Device device() {
    int gpu = execution.gpuIndex();
    return gpu < 0 ? Device.cpu() : Device.gpu(gpu);
  }

  /** weights hash (of every parameter's values), tower, mode, size, heads, precision and exporter version. */
  private String key(String tower, String mode, String size) {
    if (weightsKey == null) {
      weightsKey = weightsHash(model).substring(0, 20);
    }
    ClipConfig c = model.config();
    String heads = tower.equals("image") ? "h" + c.visionHeads() : "h" + c.textHeads();
    return String.join("-", weightsKey, tower, mode, size, heads, execution.precision().id(), "v" + ClipOnnxExport.VERSION);
  }

  /** SHA-256 over the state dict's names, shapes and float32 values, in its fixed order. */
  static String weightsHash(ClipModel model) {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Map.Entry<String, NamedParameter> e : model.stateDict().entrySet()) {
      d.update((e.getKey() + e.getValue().shape()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ByteBuffer values = e.getValue().parameter().getArray().toByteBuffer();
      d.update(values);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  @Override
  public synchronized void close() {
    loaded.values().forEach(Loaded::close);
    loaded.clear();
  }
}
