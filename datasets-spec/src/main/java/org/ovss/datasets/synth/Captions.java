package org.ovss.datasets.synth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Captions in the manner of web alt-text: varied templates that name the most prominent shape, usually some of the
 * others, often their colours and the background, sometimes nothing but the background or a count of shapes.
 * A caption never names a shape the image does not show; the only false words are the rare wrong colours of
 * {@link #WRONG_COLOUR}, so a model trained on them learns shape words from clean, if incomplete, supervision.
 */
final class Captions {
  /** Captions written per image; a trainer may pick one per step. */
  static final int PER_IMAGE = 3;
  /** Chance that a shape other than the most prominent one is left out of a caption. */
  static final double OMIT_SHAPE = 0.3;
  /** Chance that a named shape comes with its colour. */
  static final double NAME_COLOUR = 0.75;
  /** Chance that a named colour is wrong (another colour word), the label noise of scraped captions. */
  static final double WRONG_COLOUR = 0.03;
  /** Chance that the named shapes come in random order rather than largest first. */
  private static final double SHUFFLE_ORDER = 0.4;
  private static final double CAPITALISE = 0.35;
  private static final double FULL_STOP = 0.3;
  private static final int DISTINCT_TRIES = 12;

  /** Where the shapes are, per stuff class; the plain stuff word dominates so that it is learnable. */
  private static final String[][] PLACES = {
      {"on grass", "on the grass", "on green grass", "on a lawn"},
      {"in the sky", "against the sky", "against a blue sky", "in a cloudy sky"},
      {"on water", "on the water", "in the water", "floating on water", "on the sea"},
      {"on sand", "on the sand", "on the beach", "on a sandy beach"},
      {"on a wall", "on the wall", "on a stone wall", "against a grey wall"}};
  /** The background as a noun phrase, per stuff class. */
  private static final String[][] SCENES = {
      {"grass", "green grass", "a lawn"},
      {"the sky", "a blue sky", "sky"},
      {"water", "the sea", "calm water"},
      {"sand", "a beach", "the sand"},
      {"a wall", "a stone wall", "a grey wall"}};
  private static final String[] NUMBERS = {"one", "two", "three", "four"};

  /**
   * Templates with their relative frequency. {@code {o}}: the named shapes; {@code {1}}: the most prominent shape
   * alone; {@code {n}}: how many shapes, without naming them; {@code {b}}: where they are; {@code {B}}: the
   * background as a noun.
   */
  private static final List<Template> TEMPLATES = List.of(
      new Template("{o} {b}", 4),
      new Template("{o}", 2),
      new Template("a photo of {o}", 1),
      new Template("a photo of {o} {b}", 1.5),
      new Template("photo of {o}", 0.5),
      new Template("a picture of {o} {b}", 1),
      new Template("an image of {o}", 0.5),
      new Template("a drawing of {o} {b}", 1),
      new Template("{B} with {o}", 1),
      new Template("close-up of {1}", 0.5),
      new Template("geometric shapes: {o}", 0.3),
      new Template("{n} {b}", 0.3),
      new Template("{B}", 0.15));
  private static final double TOTAL_WEIGHT = TEMPLATES.stream().mapToDouble(Template::weight).sum();

  private Captions() {}

  /** {@link #PER_IMAGE} captions of the scene, distinct where the scene allows. */
  static List<String> write(Scene scene, SplittableRandom rng) {
    List<Scene.SceneObject> prominent = new ArrayList<>(scene.objects());
    prominent.sort(Comparator.comparingInt(Scene.SceneObject::pixels).reversed());
    List<String> captions = new ArrayList<>();
    for (int tries = 0; captions.size() < PER_IMAGE; tries++) {
      String caption = caption(scene.stuff(), prominent, rng);
      if (!captions.contains(caption) || tries >= DISTINCT_TRIES) {
        captions.add(caption);
      }
    }
    return captions;
  }

  private static String caption(int stuff, List<Scene.SceneObject> prominent, SplittableRandom rng) {
    String text = template(rng);
    if (text.contains("{o}")) {
      text = text.replace("{o}", shapes(named(prominent, rng), rng));
    }
    if (text.contains("{1}")) {
      text = text.replace("{1}", shapes(prominent.subList(0, 1), rng));
    }
    if (text.contains("{n}")) {
      int n = prominent.size();
      text = text.replace("{n}", n == 1 ? "a shape" : NUMBERS[n - 1] + " shapes");
    }
    text = text.replace("{b}", any(PLACES[stuff], rng)).replace("{B}", any(SCENES[stuff], rng));
    if (rng.nextDouble() < CAPITALISE) {
      text = Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
    return rng.nextDouble() < FULL_STOP ? text + "." : text;
  }

  /** The most prominent shape, then each other one unless left out, in size order or shuffled. */
  private static List<Scene.SceneObject> named(List<Scene.SceneObject> prominent, SplittableRandom rng) {
    List<Scene.SceneObject> named = new ArrayList<>();
    named.add(prominent.get(0));
    for (Scene.SceneObject o : prominent.subList(1, prominent.size())) {
      if (rng.nextDouble() >= OMIT_SHAPE) {
        named.add(o);
      }
    }
    if (named.size() > 1 && rng.nextDouble() < SHUFFLE_ORDER) {
      for (int i = named.size() - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        named.set(i, named.set(j, named.get(i)));
      }
    }
    return named;
  }

  /** "a red star, two circles and a blue ring": equal (colour word, shape) pairs are counted, not repeated. */
  private static String shapes(List<Scene.SceneObject> objects, SplittableRandom rng) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Scene.SceneObject o : objects) {
      String colour = rng.nextDouble() < NAME_COLOUR ? colourWord(o.colour(), rng) + " " : "";
      counts.merge(colour + SyntheticBenchmark.SHAPES.get(o.shape()), 1, Integer::sum);
    }
    List<String> phrases = new ArrayList<>();
    counts.forEach((words, count) -> phrases.add(count == 1
        ? article(words) + " " + words
        : NUMBERS[count - 1] + " " + plural(words)));
    if (phrases.size() == 1) {
      return phrases.get(0);
    }
    return String.join(", ", phrases.subList(0, phrases.size() - 1)) + " and " + phrases.get(phrases.size() - 1);
  }

  private static String colourWord(int colour, SplittableRandom rng) {
    int named = colour;
    if (rng.nextDouble() < WRONG_COLOUR) {
      // Any other colour, uniformly: shift by 1..count-1.
      int count = SyntheticBenchmark.COLOURS.size();
      named = (colour + 1 + rng.nextInt(count - 1)) % count;
    }
    return SyntheticBenchmark.COLOURS.get(named);
  }

  private static String article(String word) {
    return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
  }

  static String plural(String words) {
    return words.endsWith("s") ? words + "es" : words + "s";
  }

  private static String template(SplittableRandom rng) {
    double u = rng.nextDouble() * TOTAL_WEIGHT;
    for (Template t : TEMPLATES) {
      u -= t.weight();
      if (u < 0) {
        return t.pattern();
      }
    }
    return TEMPLATES.get(TEMPLATES.size() - 1).pattern();
  }

  private static String any(String[] options, SplittableRandom rng) {
    return options[rng.nextInt(options.length)];
  }

  private record Template(String pattern, double weight) {}
}
