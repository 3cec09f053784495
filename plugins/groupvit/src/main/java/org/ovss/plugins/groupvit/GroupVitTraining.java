package org.ovss.plugins.groupvit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ovss.api.ImageTextSource;
import org.ovss.api.InvalidInputException;
import org.ovss.api.PromptSet;
import org.ovss.api.TrainSpec;
import org.ovss.clip.tokenizer.ClipTokenizer;
import org.ovss.clip.train.BatchSampler;
import org.ovss.clip.train.CaptionTraining;
import org.ovss.nn.Norms;
import org.ovss.nn.Scalars;
import org.ovss.nn.SettingsReader;

/**
 * GroupViT trained from scratch on image-caption pairs with the loss of the official {@code
 * MultiLabelContrastive} (NVlabs/GroupViT {@code models/multi_label_contrastive.py}): the symmetric image-text
 * InfoNCE loss on the projected, L2-normalised pooled image embedding and caption embedding (temperature
 * {@code logit_scale}, clamped at 100), plus, when {@code multi_label} K &gt; 0, the multi-label loss between
 * each image and K prompts made of its caption's nouns ("a photo of a {noun}." with a random one of the 80
 * ImageNet templates; the caption itself fills the prompts its nouns cannot), soft targets 1/K per own prompt,
 * temperature {@code multi_label_logit_scale}. Gumbel-softmax hard assignment with the straight-through
 * estimator groups the tokens; BatchNorm in the projection heads uses batch statistics.
 *
 * <p>Everything random about a step (pairs, captions, flips, nouns, templates, gumbel noise) comes from a
 * generator seeded with (seed, step), so a resumed run repeats an uninterrupted one exactly.
 *
 * <p>The BatchNorm running statistics are not optimised, but they belong to the state a resumed run must
 * restore, so {@link #parameters()} lists them too: the loss never reaches them, their gradient is zero,
 * and as 1-D arrays they get no weight decay, so the engine's AdamW leaves them unchanged while its
 * checkpoints save and restore them. The forward pass updates them in place outside the autograd graph.
 */
public final class GroupVitTraining extends CaptionTraining<GroupVitModel> {
  /** ImageNet mean and std of GroupViT's input normalisation ({@code IMAGENET_DEFAULT_MEAN/STD}). */
  static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  static final float[] STD = {0.229f, 0.224f, 0.225f};

  private final Settings settings;
  private final PromptSet templates;
  private final NounExtractor nouns = new NounExtractor();
  private final long totalSteps;

  /**
   * @param model a model with initialised weights; its arrays are trained in place
   * @param tokenizer the tokenizer whose ids the text encoder embeds
   * @param totalSteps steps of the run, written as the BatchNorm layers' {@code num_batches_tracked}
   */
  public GroupVitTraining(GroupVitModel model, ClipTokenizer tokenizer, ImageTextSource data, Settings settings,
      long totalSteps) {
    super(model, model.config().vocabSize(), tokenizer, data, settings.batchSize());
    this.settings = settings;
    this.templates = PromptSet.named(settings.nounTemplates());
    parameters.putAll(model.state());
    this.totalSteps = totalSteps;
  }

  /** A tokenizer over the captions' and templates' words and a seeded random model of {@code settings}' shape. */
  public static GroupVitTraining fromScratch(ImageTextSource data, Settings settings, long seed, long totalSteps,
      NDManager manager) {
    List<String> corpus = BatchSampler.allCaptions(data);
    for (String t : PromptSet.named(settings.nounTemplates()).templates()) {
      corpus.add(t.replace("{}", " "));
    }
    ClipTokenizer tokenizer = ClipTokenizer.ofWords(corpus);
    GroupVitModel model = GroupVitInit.random(settings.architecture().withVocabSize(tokenizer.vocabSize()), manager, seed);
    return new GroupVitTraining(model, tokenizer, data, settings, totalSteps);
  }

  /**
   * The official weight-decay groups (NVlabs/GroupViT@13b7861 {@code utils/optimizer.py} {@code set_weight_decay}):
   * every parameter except those of one dimension and those whose name ends in {@code .bias}, so the 0-d
   * {@code logit_scale} and {@code multi_label_logit_scale} are decayed.
   */
  @Override
  public boolean decays(String name, NDArray parameter) {
    return officialDecay(name, parameter.getShape());
  }

  static boolean officialDecay(String name, Shape shape) {
    return shape.dimension() != 1 && !name.endsWith(".bias");
  }

  /** The texts of one pair: its caption, then K noun prompts (the caption again where nouns run out). */
  List<String> texts(String caption, Random random) {
    int k = model.config().multiLabel();
    List<String> texts = new ArrayList<>(k + 1);
    texts.add(caption);
    List<String> found = new ArrayList<>(nouns.nouns(caption));
    int take = Math.min(k, found.size());
    for (int i = 0; i < take; i++) {
      // choice without replacement: a partial Fisher-Yates shuffle
      int j = i + random.nextInt(found.size() - i);
      String noun = found.set(j, found.get(i));
      found.set(i, noun);
      String template = templates.templates().get(random.nextInt(templates.templates().size()));
      texts.add(templates.apply(template, noun));
    }
    while (texts.size() < k + 1) {
      texts.add(caption);
    }
    return texts;
  }

  @Override
  public NDArray loss(NDManager scope, int step, long seed) {
    Random random = BatchSampler.stepRandom(seed, step);
    GroupVitConfig c = model.config();
    int b = settings.batchSize();
    int res = c.imageSize();
    int k = c.multiLabel();
    int context = c.contextLength();
    float[] images = new float[b * 3 * res * res];
    int[] ids = new int[b * (k + 1) * context];
    // Distinct pairs, as the official loader's shuffled epochs give: a pair drawn twice is its own false negative.
    int[] pairs = BatchSampler.distinct(random, data.size(), b);
    for (int i = 0; i < b; i++) {
      int index = pairs[i];
      normalize(BatchSampler.squareImage(data, index, res), images, i * 3 * res * res, res, random.nextBoolean());
      String caption = BatchSampler.caption(random, data, index);
      List<String> texts = texts(caption, random);
      for (int t = 0; t <= k; t++) {
        System.arraycopy(tokenizer.tokenize(texts.get(t), context), 0, ids, (i * (k + 1) + t) * context, context);
      }
    }
    NDArray imageBatch = scope.create(images, new Shape(b, 3, res, res));
    NDArray idBatch = scope.create(ids, new Shape((long) b * (k + 1), context));
    return forward(model, scope, imageBatch, idBatch, GroupVitModel.Pass.training(random)).loss();
  }

  /**
   * The official {@code forward_train} on a batch: images [B, 3, H, W] and, per image, its caption and K prompts
   * as token ids [B (1 + K), L] in (image, text) order; K = 0 without the multi-label loss.
   */
  static Forward forward(GroupVitModel model, NDManager scope, NDArray images, NDArray ids, GroupVitModel.Pass pass) {
    GroupVitConfig c = model.config();
    int b = (int) images.getShape().get(0);
    // prompts per image from the batch, as the official code (its multi_label only switches the loss on)
    int k = (int) (ids.getShape().get(0) / b) - 1;
    if (ids.getShape().get(0) != (long) b * (k + 1) || (k > 0) != (c.multiLabel() > 0)) {
      throw new IllegalArgumentException("token ids " + ids.getShape() + " do not hold 1 + K rows for each of " + b
          + " images with multi_label " + c.multiLabel());
    }
    NDArray imageX = model.projectImage(model.encodeImage(images, pass).pooled(), pass); // [B, D]
    // captions and prompts through the text projector together, as the official encode_text of [B, 1 + K, L]
    NDArray textX = model.projectText(model.encodeText(ids), pass); // [B (1+K), D]
    NDArray perImage = textX.reshape(b, k + 1, c.outputDim()); // [B, 1+K, D]
    NDArray img = Norms.l2Normalize(imageX, Norms.TORCH_NORMALIZE_EPS);
    NDArray txt = Norms.l2Normalize(perImage.get(":, 0, :"), Norms.TORCH_NORMALIZE_EPS); // [B, D]
    NDArray scale = model.logitScale(scope, "logit_scale");
    NDArray logits = img.matMul(txt.transpose()).mul(scale); // [B, B]
    NDArray eye = scope.eye(b);
    NDArray imageToText = logits.logSoftmax(1).mul(eye).sum().neg();
    NDArray textToImage = logits.logSoftmax(0).mul(eye).sum().neg();
    NDArray contrastive = Scalars.div(imageToText.add(textToImage), 2f * b);
    NDArray multiLabel = k > 0 ? multiLabelLoss(model, scope, img, perImage, b, k) : null;
    NDArray loss = multiLabel == null ? contrastive
        : contrastive.add(Scalars.mul(multiLabel, (float) c.multiLabelLossWeight()));
    return new Forward(loss, contrastive, multiLabel, imageX, textX);
  }

  /**
   * One training forward's results.
   *
   * @param loss the objective: contrastive + multi-label weight x multi-label
   * @param contrastive the image-caption InfoNCE loss
   * @param multiLabel the multi-label loss, null when the model has no prompts (multi_label 0)
   * @param imageX projected image embeddings [B, D], before L2 normalisation
   * @param textX projected text embeddings [B (1 + K), D], before L2 normalisation
   */
  record Forward(NDArray loss, NDArray contrastive, NDArray multiLabel, NDArray imageX, NDArray textX) {}

  /** {@code multi_label_loss}: soft-target cross-entropy between images and the noun prompts, both directions. */
  private static NDArray multiLabelLoss(GroupVitModel model, NDManager scope, NDArray img, NDArray textX, int b, int k) {
    GroupVitConfig c = model.config();
    NDArray prompts = Norms.l2Normalize(textX.get(":, 1:, :").reshape((long) b * k, c.outputDim()), Norms.TORCH_NORMALIZE_EPS); // [B*K, D]
    NDArray scale = model.logitScale(scope, c.hasMultiLabelScale() ? "multi_label_logit_scale" : "logit_scale");
    float[] perImage = new float[b * b * k]; // [B, B*K]: 1/K on the image's own prompts
    float[] perPrompt = new float[b * k * b]; // [B*K, B]: 1 on the prompt's own image
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < k; j++) {
        perImage[i * b * k + i * k + j] = 1f / k;
        perPrompt[(i * k + j) * b + i] = 1f;
      }
    }
    NDArray imageTargets = scope.create(perImage, new Shape(b, (long) b * k));
    NDArray promptTargets = scope.create(perPrompt, new Shape((long) b * k, b));
    NDArray imageLogits = img.matMul(prompts.transpose()).mul(scale); // [B, B*K]
    NDArray promptLogits = prompts.matMul(img.transpose()).mul(scale); // [B*K, B]
    NDArray lossImage = softTargetCrossEntropy(imageLogits, imageTargets);
    NDArray lossPrompt = softTargetCrossEntropy(promptLogits, promptTargets);
    return Scalars.mul(lossImage.add(lossPrompt), 0.5f);
  }

  /** timm {@code SoftTargetCrossEntropy}: mean over rows of sum(-target * log_softmax(logits)). */
  private static NDArray softTargetCrossEntropy(NDArray logits, NDArray targets) {
    return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg().mean();
  }

  /** Writes a [3, res, res] image in [0, 1] into {@code out} with ImageNet mean/std, mirrored when {@code flip}. */
  static void normalize(float[] rgb, float[] out, int offset, int res, boolean flip) {
    int plane = res * res;
    for (int ch = 0; ch < 3; ch++) {
      for (int y = 0; y < res; y++) {
        for (int x = 0; x < res; x++) {
          int src = ch * plane + y * res + (flip ? res - 1 - x : x);
          out[offset + ch * plane + y * res + x] = (rgb[src] - MEAN[ch]) / STD[ch];
        }
      }
    }
  }

  @Override
  public Path export(Path directory) {
    model.numBatchesTracked(totalSteps);
    Path weights = GroupVitCheckpoint.save(model, directory, Map.of("trained", "ovss groupvit multi-label contrastive"));
    tokenizer.writeHuggingFace(directory);
    return weights;
  }

  /**
   * Training settings from {@link org.ovss.api.TrainSpec#config()}. Keys (besides the engine's; any other key is
   * refused): {@code preset} ({@code small}: the engine's defaults; {@code official}: {@link
   * #officialEngineSettings} under any engine key given explicitly), {@code batch-size} (32), {@code multi-label} (noun prompts per
   * caption, 3 as the official configs; 0 turns the multi-label loss off), {@code multi-label-weight} (1.0),
   * {@code noun-templates} (prompt set of the noun prompts, {@code openai-imagenet-80} as the official
   * {@code full_imagenet_templates}), and the architecture: {@code arch.image-size} (96), {@code arch.patch}
   * (8), {@code arch.width} (96, embed_dim), {@code arch.depths} (2,1,1), {@code arch.heads} (3, one value for
   * every stage or a list), {@code arch.group-tokens} (16,8,0), {@code arch.output-groups} (16,8), {@code
   * arch.hard-assignment} (true), {@code arch.text-width} (96), {@code arch.text-layers} (2), {@code
   * arch.text-heads} (2), {@code arch.context} (32), {@code arch.embed} (64, output_dim), {@code
   * arch.proj-layers} (2), {@code arch.proj-inner} (512), {@code arch.temperature} (0.07).
   *
   * @param architecture the model to train (its vocabulary size is replaced by the tokenizer's)
   */
  public record Settings(int batchSize, String nounTemplates, GroupVitConfig architecture) {

    /** Small enough to train on two CPU cores in minutes on 96x96 synthetic images. */
    public static final GroupVitConfig SYNTH = new GroupVitConfig(96, 8, 96, List.of(2, 1, 1), List.of(3, 3, 3),
        List.of(16, 8, 0), List.of(16, 8), true, 4.0, 32, 96, 2, 2, 1, 64, 2, 512, 0.07, 3, false, 1.0);

    /** Every key this method reads. */
    public static final List<String> KEYS = List.of(TrainSpec.PRESET, "batch-size", "multi-label", "multi-label-weight", "noun-templates",
        "arch.image-size", "arch.patch", "arch.width", "arch.depths", "arch.heads", "arch.group-tokens",
        "arch.output-groups", "arch.hard-assignment", "arch.text-width", "arch.text-layers", "arch.text-heads",
        "arch.context", "arch.embed", "arch.proj-layers", "arch.proj-inner", "arch.temperature");

    public Settings {
      if (batchSize < 2) {
        throw new InvalidInputException("training setting batch-size must be at least 2 (contrastive loss, BatchNorm),"
            + " got " + batchSize);
      }
    }

    /**
     * The engine settings of the official run (NVlabs/GroupViT@13b7861 {@code configs/default.yml}, {@code
     * utils/optimizer.py}, {@code utils/lr_scheduler.py}, {@code main_group_vit.py}) for {@code steps} steps of
     * {@code batchSize}: AdamW betas (0.9, 0.999), eps 1e-8, weight decay 0.05, clipping at the global norm 5.0;
     * base lr 1.6e-3, warm-up start 4e-6 and minimum 4e-5, each at batch 4096 and scaled linearly to the batch as
     * {@code main_group_vit.py} scales them; warm-up over 2 of the 30 epochs (2/30 of the steps) and timm's cosine
     * over all steps.
     */
    public static Map<String, String> officialEngineSettings(int batchSize, int steps) {
      double scale = batchSize / 4096.0;
      Map<String, String> s = new LinkedHashMap<>();
      s.put("lr", Double.toString(1.6e-3 * scale));
      s.put("warmup-start-lr", Double.toString(4e-6 * scale));
      s.put("min-lr", Double.toString(4e-5 * scale));
      s.put("warmup-steps", Integer.toString((int) (steps * 2L / 30)));
      s.put("schedule", "timm-cosine");
      s.put("beta1", "0.9");
      s.put("beta2", "0.999");
      s.put("eps", "1e-8");
      s.put("weight-decay", "0.05");
      s.put("clip-norm", "5.0");
      return s;
    }

    /**
     * {@code spec} with the engine settings of its preset ({@code preset=official}: {@link #officialEngineSettings})
     * under the settings it gives itself; the small preset leaves it as it is.
     */
    public TrainSpec engineSpec(TrainSpec spec) {
      return TrainSpec.officialPreset(spec.config())
          ? spec.withDefaults(officialEngineSettings(batchSize, spec.steps())) : spec;
    }

    /** The settings of a training config over {@link #SYNTH}; keys neither groupvit's nor the engine's are refused. */
    public static Settings from(Map<String, String> config) {
      TrainSpec.requireKnownKeys("groupvit", config, KEYS);
      TrainSpec.officialPreset(config); // fails early on a preset other than small / official
      SettingsReader r = SettingsReader.training(config);
      GroupVitConfig d = SYNTH;
      int stagesDefault = d.stages();
      List<Integer> depths = intList(r, "arch.depths", d.depths());
      int stages = depths.size();
      List<Integer> heads = intList(r, "arch.heads", List.of(d.numHeads().get(0)));
      if (heads.size() == 1 && stages != 1) {
        heads = java.util.Collections.nCopies(stages, heads.get(0));
      }
      List<Integer> groupTokens = intList(r, "arch.group-tokens",
          stages == stagesDefault ? d.numGroupTokens() : null);
      List<Integer> outputGroups = intList(r, "arch.output-groups",
          stages == stagesDefault ? d.numOutputGroups() : null);
      GroupVitConfig arch;
      try {
        arch = new GroupVitConfig(
            r.whole("arch.image-size", d.imageSize(), 1), r.whole("arch.patch", d.patchSize(), 1),
            r.whole("arch.width", d.embedDim(), 1), depths, heads, groupTokens, outputGroups,
            r.flag("arch.hard-assignment", d.hardAssignment()), d.mlpRatio(),
            r.whole("arch.context", d.contextLength(), 1), r.whole("arch.text-width", d.textWidth(), 1),
            r.whole("arch.text-layers", d.textLayers(), 1), r.whole("arch.text-heads", d.textHeads(), 1),
            d.vocabSize(), r.whole("arch.embed", d.outputDim(), 1),
            r.whole("arch.proj-layers", d.projNumLayers(), 0),
            r.whole("arch.proj-inner", d.projInnerDim(), 1),
            r.positive("arch.temperature", d.contrastTemperature()),
            r.whole("multi-label", d.multiLabel(), 0), false,
            r.nonNegative("multi-label-weight", d.multiLabelLossWeight()));
      } catch (InvalidInputException e) {
        throw new InvalidInputException("training settings for groupvit: " + e.getMessage(), e);
      }
      String templates = config.getOrDefault("noun-templates", "openai-imagenet-80").strip();
      PromptSet.named(templates); // fails early, listing the built-in sets, if unknown
      return new Settings(r.whole("batch-size", 32, 1), templates, arch);
    }

    private static List<Integer> intList(SettingsReader r, String key, List<Integer> defaultValue) {
      if (defaultValue == null && !r.has(key)) {
        throw new InvalidInputException("training setting '" + key + "' is needed when arch.depths changes the number"
            + " of stages");
      }
      return r.integers(key, defaultValue);
    }
  }
}
