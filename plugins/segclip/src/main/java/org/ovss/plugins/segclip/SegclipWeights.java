package org.ovss.plugins.segclip;

import static org.ovss.plugins.segclip.SegclipConfig.BLOCKS;
import static org.ovss.plugins.segclip.SegclipConfig.CLIP;
import static org.ovss.plugins.segclip.SegclipConfig.DECODER;
import static org.ovss.plugins.segclip.SegclipConfig.SEMANTIC;
import static org.ovss.plugins.segclip.SegclipConfig.VISUAL;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ovss.api.InvalidInputException;
import org.ovss.clip.io.SafetensorsWriter;
import org.ovss.clip.io.TensorFile;
import org.ovss.clip.io.TensorFormatException;
import org.ovss.clip.model.ClipModel;
import org.ovss.clip.model.NamedParameter;
import org.ovss.clip.weights.ClipNaming;

/**
 * Reads and writes SegCLIP checkpoints under the official state-dict names, and builds a SegCLIP model
 * from CLIP weights for training.
 *
 * <p>A checkpoint is recognised by {@value #ANCHOR}, with whatever prefix every name carries ({@code
 * module.} from DistributedDataParallel, say). Safetensors files and torch zip archives ({@code
 * torch.save} of a state dict, as the released {@code segclip.bin}) are both read, through clip-core's
 * {@link TensorFile}.
 */
public final class SegclipWeights {
  /** The tensor that marks a SegCLIP checkpoint. */
  public static final String ANCHOR = SEMANTIC + "semantic_center";
  /** Name of the architecture file written beside exported weights. */
  public static final String CONFIG_FILE = "segclip-config.json";
  /** Attention heads of the MAE decoder in the official code ({@code decoder_num_heads = 8}). */
  public static final int OFFICIAL_DECODER_HEADS = 8;
  /** Blocks of the MAE decoder in the official code ({@code decoder_depth=3}). */
  public static final int OFFICIAL_DECODER_DEPTH = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private SegclipWeights() {}

  /** What a weights file holds. */
  public enum Kind {
    /** A SegCLIP checkpoint (official or exported here). */
    SEGCLIP,
    /** Plain CLIP weights (OpenAI or Hugging Face names), the initialisation of training. */
    CLIP
  }

  /** Head counts, which shapes cannot tell; empty means metadata, then the official width / 64 rule. */
  public record Heads(OptionalInt vision, OptionalInt text, OptionalInt decoder) {
    public static final Heads DEFAULT = new Heads(OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
  }

  /**
   * Tells a SegCLIP checkpoint from CLIP weights by their tensor names.
   *
   * @throws InvalidInputException naming the file if it is neither
   */
  public static Kind detect(Path file) {
    try (TensorFile tensors = open(file)) {
      Set<String> names = new java.util.LinkedHashSet<>(tensors.names());
      if (prefix(names).isPresent()) {
        return Kind.SEGCLIP;
      }
      if (ClipNaming.detect(names).isPresent()) {
        return Kind.CLIP;
      }
      throw new InvalidInputException("weights file " + file + " is neither a SegCLIP checkpoint (no tensor named '"
          + ANCHOR + "') nor CLIP weights (no 'visual.conv1.weight' or 'vision_model.embeddings.patch_embedding.weight'"
          + " among its " + names.size() + " tensors)");
    }
  }

  private static TensorFile open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("weights file " + file + " does not exist");
    }
    try {
      return TensorFile.open(file);
    } catch (TensorFormatException e) {
      throw new InvalidInputException("cannot read weights file " + file + ": " + e.getMessage(), e);
    }
  }

  private static Optional<String> prefix(Set<String> names) {
    for (String n : names) {
      if (n.endsWith(ANCHOR)) {
        String prefix = n.substring(0, n.length() - ANCHOR.length());
        if (prefix.isEmpty() || prefix.endsWith(".")) {
          return Optional.of(prefix);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Loads a SegCLIP checkpoint; the architecture comes from the tensor shapes. Tensors the inference
   * and training graph do not use (a text-MAE decoder, say) are ignored.
   *
   * @throws InvalidInputException naming the file and tensor if a tensor is missing, misshapen or not finite
   */
  public static SegclipModel load(Path file, NDManager manager, Heads heads) {
    try (TensorFile tensors = open(file)) {
      Set<String> all = new java.util.LinkedHashSet<>(tensors.names());
      String prefix = prefix(all).orElseThrow(() -> new InvalidInputException(
          "weights file " + file + " is not a SegCLIP checkpoint: it has no tensor named '" + ANCHOR + "'"));
      Map<String, String> source = new LinkedHashMap<>();
      for (String n : all) {
        if (n.startsWith(prefix)) {
          source.put(n.substring(prefix.length()), n);
        }
      }
      SegclipConfig config = inferConfig(file, tensors, source, heads);
      Map<String, NDArray> params = new LinkedHashMap<>();
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, Shape> e : config.shapes().entrySet()) {
        String name = e.getKey();
        String stored = source.get(name);
        if (stored == null) {
          if (name.equals(DECODER + "decoder_pos_embed")) {
            // a fixed buffer: the official code recomputes it on construction
            params.put(name, manager.create(decoderPositions(config.decoderDim(), config.gridSize()), e.getValue()));
          } else {
            missing.add(name);
          }
          continue;
        }
        params.put(name, manager.create(read(file, tensors, stored, e.getValue()), e.getValue()));
      }
      if (!missing.isEmpty()) {
        params.values().forEach(NDArray::close);
        throw new InvalidInputException("weights file " + file + " lacks tensors its architecture needs: "
            + String.join(", ", missing));
      }
      return new SegclipModel(config, params);
    }
  }

  /** Reads the architecture from the shapes, as the official {@code SegCLIP.__init__} reads CLIP's. */
  static SegclipConfig inferConfig(Path file, TensorFile tensors, Map<String, String> source, Heads heads) {
    long[] conv = shape(file, tensors, source, VISUAL + "conv1.weight");
    long[] pos = shape(file, tensors, source, VISUAL + "positional_embedding");
    long[] proj = shape(file, tensors, source, VISUAL + "proj");
    long[] center = shape(file, tensors, source, ANCHOR);
    long[] kConv = shape(file, tensors, source, SEMANTIC + "k_conv.weight");
    long[] textPos = shape(file, tensors, source, CLIP + "positional_embedding");
    long[] tokens = shape(file, tensors, source, CLIP + "token_embedding.weight");
    long[] lnFinal = shape(file, tensors, source, CLIP + "ln_final.weight");
    int width = (int) conv[0];
    int patch = (int) conv[conv.length - 1];
    int grid = (int) Math.round(Math.sqrt(pos[0] - 1));
    if ((long) grid * grid + 1 != pos[0]) {
      throw new InvalidInputException("weights file " + file + ": the visual positional embedding has " + pos[0]
          + " rows, which is not 1 + a square number of patches");
    }
    int groups = (int) (width / kConv[1]);
    Set<String> names = source.keySet();
    Map<String, Integer> meta = headMetadata(file, tensors.metadata());
    int textWidth = (int) lnFinal[0];
    int decoderDim = 0;
    int decoderDepth = 0;
    if (names.contains(DECODER + "decoder_embed.weight")) {
      decoderDim = (int) shape(file, tensors, source, DECODER + "decoder_embed.weight")[0];
      decoderDepth = countLayers(names, DECODER + "decoder_blocks.");
    }
    int vision = heads.vision().orElse(meta.getOrDefault("vision_heads", groups));
    int text = heads.text().orElse(meta.getOrDefault("text_heads", Math.max(1, textWidth / 64)));
    int decoder = heads.decoder().orElse(meta.getOrDefault("decoder_heads", OFFICIAL_DECODER_HEADS));
    try {
      return new SegclipConfig((int) proj[1], patch * grid, patch, width, vision, groups,
          countLayers(names, BLOCKS + "layers0."), countLayers(names, BLOCKS + "layers2."), (int) center[0],
          countLayers(names, SEMANTIC + "cross_att."), countLayers(names, BLOCKS + "layers_mae2."), (int) textPos[0],
          (int) tokens[0], textWidth, text, countLayers(names, CLIP + "transformer.resblocks."), decoderDim, decoderDepth,
          decoder);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("weights file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Head counts from the safetensors metadata, else from a {@value #CONFIG_FILE} beside the file. */
  private static Map<String, Integer> headMetadata(Path file, Map<String, String> metadata) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String key : List.of("vision_heads", "text_heads", "decoder_heads")) {
      String v = metadata.get(key);
      if (v != null) {
        try {
          out.put(key, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
          throw new InvalidInputException("weights file " + file + ": metadata '" + key + "' is not an integer: " + v);
        }
      }
    }
    Path dir = file.toAbsolutePath().getParent();
    Path json = dir == null ? null : dir.resolve(CONFIG_FILE);
    if (json != null && Files.isRegularFile(json)) {
      try {
        JsonNode root = JSON.readTree(json.toFile());
        JsonNode node = root.has("config") ? root.get("config") : root;
        for (String key : List.of("vision_heads", "text_heads", "decoder_heads")) {
          if (!out.containsKey(key) && node.path(key).isInt()) {
            out.put(key, node.get(key).asInt());
          }
        }
      } catch (IOException e) {
        throw new InvalidInputException("cannot read model config " + json + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static final Pattern INDEX = Pattern.compile("(\\d+)\\..*");

  /** Number of blocks {@code prefix + i + "."} (1 + the largest index). */
  static int countLayers(Set<String> names, String prefix) {
    int count = 0;
    for (String n : names) {
      if (n.startsWith(prefix)) {
        Matcher m = INDEX.matcher(n.substring(prefix.length()));
        if (m.matches()) {
          count = Math.max(count, Integer.parseInt(m.group(1)) + 1);
        }
      }
    }
    return count;
  }

  private static long[] shape(Path file, TensorFile tensors, Map<String, String> source, String name) {
    String stored = source.get(name);
    if (stored == null) {
      throw new InvalidInputException("weights file " + file + " lacks tensor '" + name + "' needed to read the architecture");
    }
    return tensors.info(stored).shape();
  }

  private static float[] read(Path file, TensorFile tensors, String stored, Shape want) {
    long[] got = tensors.info(stored).shape();
    // A scalar is stored as [] by torch and as [1] by some exporters (logit_scale).
    boolean scalar = want.size() == 1 && new Shape(got).size() == 1;
    if (!scalar && !new Shape(got).equals(want)) {
      throw new InvalidInputException("weights file " + file + ": tensor '" + stored + "' has shape "
          + Arrays.toString(got) + " but the architecture needs " + want);
    }
    float[] values = tensors.readFloats(stored);
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new InvalidInputException("weights file " + file + ": tensor '" + stored + "' holds a non-finite value ("
            + values[i] + ") at flat index " + i);
      }
    }
    return values;
  }

  /**
   * Writes the model as float32 safetensors under the official names, with the head counts as metadata,
   * and {@value #CONFIG_FILE} beside it.
   */
  public static void save(SegclipModel model, Path file, Map<String, String> metadata) {
    List<SafetensorsWriter.Tensor> out = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      out.add(SafetensorsWriter.Tensor.ofFloats(e.getKey(), e.getValue().getShape().getShape(),
          e.getValue().toFloatArray()));
    }
    SegclipConfig c = model.config();
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put("format", "segclip");
    meta.put("vision_heads", Integer.toString(c.visionHeads()));
    meta.put("text_heads", Integer.toString(c.textHeads()));
    meta.put("decoder_heads", Integer.toString(c.decoderHeads()));
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      SafetensorsWriter.write(file, out, meta);
      JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), c.toJson());
    } catch (IOException e) {
      throw new InvalidInputException("cannot write SegCLIP weights to " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The new parts of a SegCLIP built on a CLIP: the module sizes chosen for training (the rest comes from
   * the CLIP).
   *
   * @param firstStageLayers CLIP blocks on the patches; the remaining blocks run on the centres
   * @param decoderDim MAE decoder width, 0 for none
   */
  public record Init(int firstStageLayers, int centers, int crossLayers, int decoderDim, int decoderDepth,
      int decoderHeads) {}

  /**
   * A SegCLIP whose CLIP parts are copies of {@code clip} (blocks below {@code firstStageLayers} become
   * {@code layers0}, the rest {@code layers2}, as the official {@code from_pretrained} maps them) and
   * whose new parts (centres, semantic module, {@code layers_mae2}, reconstruct layer, MAE decoder) are
   * initialised from {@code seed} as the official code initialises them: Linear weights N(0, 0.02) and
   * zero biases, attention input projections Xavier-uniform, LayerNorms 1 / 0, centres N(0, 0.02),
   * grouped convolutions uniform(+-1/sqrt(fan_in)), the MAE mask token N(0, 0.02) and fixed 2-D sin-cos
   * decoder positions.
   */
  public static SegclipModel fromClip(ClipModel clip, Init init, long seed, NDManager manager) {
    org.ovss.clip.model.ClipConfig cc = clip.config();
    int layers = cc.visionLayers();
    if (init.firstStageLayers() < 1 || init.firstStageLayers() > layers) {
      throw new InvalidInputException("first-stage-layers must be between 1 and the CLIP's " + layers
          + " image blocks, got " + init.firstStageLayers());
    }
    int later = layers - init.firstStageLayers();
    SegclipConfig config;
    try {
      config = new SegclipConfig(cc.embedDim(), cc.imageResolution(), cc.patchSize(), cc.visionWidth(), cc.visionHeads(),
          cc.visionHeads(), init.firstStageLayers(), later, init.centers(), init.crossLayers(), later, cc.contextLength(),
          cc.vocabSize(), cc.textWidth(), cc.textHeads(), cc.textLayers(), init.decoderDim(), init.decoderDepth(),
          init.decoderHeads());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("cannot build SegCLIP on this CLIP: " + e.getMessage(), e);
    }
    Map<String, float[]> copied = new LinkedHashMap<>();
    for (Map.Entry<String, NamedParameter> e : clip.stateDict().entrySet()) {
      copied.put(segclipName(e.getKey(), init.firstStageLayers()), e.getValue().parameter().getArray().toFloatArray());
    }
    Random random = new Random(seed);
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : config.shapes().entrySet()) {
      float[] values = copied.get(e.getKey());
      if (values == null) {
        values = initial(e.getKey(), e.getValue(), config, random);
      }
      params.put(e.getKey(), manager.create(values, e.getValue()));
    }
    return new SegclipModel(config, params);
  }

  /** The official CLIP-to-SegCLIP key mapping ({@code SegCLIPPreTrainedModel.from_pretrained}). */
  static String segclipName(String openAiName, int firstStageLayers) {
    String blocks = "visual.transformer.resblocks.";
    if (openAiName.startsWith(blocks)) {
      String rest = openAiName.substring(blocks.length());
      int dot = rest.indexOf('.');
      int i = Integer.parseInt(rest.substring(0, dot));
      String tail = rest.substring(dot);
      return i < firstStageLayers
          ? BLOCKS + "layers0." + i + tail
          : BLOCKS + "layers2." + (i - firstStageLayers) + tail;
    }
    return CLIP + openAiName;
  }

  private static float[] initial(String name, Shape shape, SegclipConfig c, Random random) {
    float[] v = new float[(int) shape.size()];
    if (name.equals(DECODER + "decoder_pos_embed")) {
      return decoderPositions(c.decoderDim(), c.gridSize());
    }
    if (name.endsWith("in_proj_weight")) {
      double bound = Math.sqrt(6.0 / (shape.get(0) + shape.get(1))); // Xavier uniform, fans [3W, W]
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
      }
    } else if (name.endsWith("_conv.weight")) {
      double bound = 1.0 / Math.sqrt(shape.get(1)); // kaiming_uniform(a=sqrt 5), fan_in = C / groups
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
      }
    } else if (name.endsWith("semantic_center") || name.endsWith("mask_token")
        || (name.endsWith("weight") && shape.dimension() == 2)) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (random.nextGaussian() * 0.02);
      }
    } else if (name.endsWith("weight") && shape.dimension() == 1) {
      Arrays.fill(v, 1f); // LayerNorm scale
    } else if (!name.endsWith("bias")) {
      throw new IllegalStateException("no initialisation rule for new parameter '" + name + "'");
    }
    return v;
  }

  /**
   * MAE's fixed 2-D sin-cos positions with a zero CLS row ({@code get_2d_sincos_pos_embed(dim, grid,
   * cls_token=True)}): for the patch in row i, column j, the first half encodes j and the second half i,
   * each as [sin(pos w), cos(pos w)] with w_k = 10000^(-k / (dim / 4)).
   */
  public static float[] decoderPositions(int dim, int grid) {
    float[] out = new float[(grid * grid + 1) * dim];
    int quarter = dim / 4;
    for (int i = 0; i < grid; i++) {
      for (int j = 0; j < grid; j++) {
        int row = 1 + i * grid + j;
        for (int k = 0; k < quarter; k++) {
          double omega = 1.0 / Math.pow(10000, (double) k / quarter);
          out[row * dim + k] = (float) Math.sin(j * omega);
          out[row * dim + quarter + k] = (float) Math.cos(j * omega);
          out[row * dim + 2 * quarter + k] = (float) Math.sin(i * omega);
          out[row * dim + 3 * quarter + k] = (float) Math.cos(i * omega);
        }
      }
    }
    return out;
  }
}
