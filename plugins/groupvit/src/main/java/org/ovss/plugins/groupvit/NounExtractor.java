package org.ovss.plugins.groupvit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The nouns of a caption for GroupViT's multi-label loss, without a part-of-speech tagger.
 *
 * <p>The official data pipeline ({@code datasets/builder.py WordAugTokenizeWrapper}) tags the caption with
 * nltk and keeps the words tagged NN, NNS, NNP and VB*. Java has no such tagger here, so this extractor is a
 * small deterministic stand-in for captions of the web alt-text kind ("a red star, two circles and a blue
 * ring on the grass"): the caption is lower-cased and split into phrases at punctuation, conjunctions,
 * prepositions and a few caption verbs; the head of each phrase is its last word that is not a stopword,
 * colour, number or picture word ("photo", "image", ...); heads are singularised ("circles" to "circle") and
 * returned once each, in order of appearance. Unlike nltk it finds no verbs and keeps no plurals.
 */
public final class NounExtractor {

  /** Words that end a phrase: conjunctions, prepositions and verbs that link the objects of a caption. */
  private static final Set<String> BOUNDARIES = Set.of(
      "and", "or", "but", "with", "without", "of", "on", "in", "at", "by", "for", "from", "to", "into", "onto", "over",
      "under", "above", "below", "behind", "beside", "between", "near", "against", "across", "along", "around",
      "through", "inside", "outside", "upon", "among", "beneath", "next", "like", "as", "is", "are", "was", "were", "be",
      "has", "have", "floating", "flying", "standing", "sitting", "lying", "showing", "featuring", "containing",
      "holding", "covered", "filled", "there", "here", "while", "where", "which", "that", "who");

  /** Words that are never a head: articles, determiners, pronouns, adverbs and the like. */
  private static final Set<String> STOPWORDS = Set.of(
      "a", "an", "the", "this", "these", "those", "some", "any", "each", "every", "all", "both", "few", "many",
      "several", "much", "more", "most", "other", "another", "such", "its", "it", "their", "his", "her", "my",
      "our", "your", "they", "them", "we", "you", "he", "she", "i", "very", "so", "too", "just", "only", "also",
      "not", "no", "up", "down", "out", "off", "than", "then", "one's", "s", "close-up", "closeup", "top", "side",
      "front", "back", "left", "right", "middle", "center", "centre", "background", "foreground");

  /** Words naming the picture rather than what it shows. */
  private static final Set<String> PICTURE_WORDS = Set.of(
      "photo", "photograph", "picture", "image", "drawing", "painting", "sketch", "view", "shot", "illustration",
      "rendering", "render", "snapshot", "pic", "art", "artwork", "scene");

  private static final Set<String> COLOURS = Set.of(
      "red", "green", "blue", "yellow", "purple", "orange", "white", "black", "grey", "gray", "pink", "brown",
      "violet", "cyan", "magenta", "golden", "silver", "dark", "light", "bright", "pale");

  private static final Set<String> NUMBERS = Set.of(
      "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
      "dozen", "single", "couple", "pair", "first", "second", "third");

  /** Singular forms that the suffix rules would get wrong. */
  private static final java.util.Map<String, String> IRREGULAR = java.util.Map.ofEntries(
      java.util.Map.entry("people", "person"), java.util.Map.entry("men", "man"), java.util.Map.entry("women", "woman"),
      java.util.Map.entry("children", "child"), java.util.Map.entry("feet", "foot"), java.util.Map.entry("teeth", "tooth"),
      java.util.Map.entry("mice", "mouse"), java.util.Map.entry("geese", "goose"), java.util.Map.entry("leaves", "leaf"),
      java.util.Map.entry("knives", "knife"), java.util.Map.entry("wolves", "wolf"), java.util.Map.entry("shelves", "shelf"),
      java.util.Map.entry("glasses", "glasses"), java.util.Map.entry("scissors", "scissors"),
      java.util.Map.entry("series", "series"), java.util.Map.entry("species", "species"), java.util.Map.entry("sheep", "sheep"),
      java.util.Map.entry("fish", "fish"), java.util.Map.entry("grass", "grass"), java.util.Map.entry("glass", "glass"),
      java.util.Map.entry("bus", "bus"), java.util.Map.entry("cactus", "cactus"), java.util.Map.entry("lens", "lens"));

  /** The head nouns of {@code caption}, singular, each once, in order of appearance. */
  public List<String> nouns(String caption) {
    Set<String> nouns = new LinkedHashSet<>();
    List<String> phrase = new ArrayList<>();
    for (String token : tokens(caption)) {
      if (token.equals(",") || BOUNDARIES.contains(token)) {
        addHead(phrase, nouns);
        phrase.clear();
      } else {
        phrase.add(token);
      }
    }
    addHead(phrase, nouns);
    return List.copyOf(nouns);
  }

  private static void addHead(List<String> phrase, Set<String> out) {
    for (int i = phrase.size() - 1; i >= 0; i--) {
      String w = phrase.get(i);
      if (isCandidate(w)) {
        out.add(singular(w));
        return;
      }
    }
  }

  private static boolean isCandidate(String w) {
    return w.length() > 1 && Character.isLetter(w.charAt(0)) && !STOPWORDS.contains(w) && !PICTURE_WORDS.contains(w)
        && !COLOURS.contains(w) && !NUMBERS.contains(w) && !PICTURE_WORDS.contains(singular(w))
        && !w.chars().allMatch(Character::isDigit);
  }

  /** Lower-case words (letters, digits, inner hyphens and apostrophes) and commas; other punctuation splits. */
  static List<String> tokens(String caption) {
    List<String> tokens = new ArrayList<>();
    String text = caption.toLowerCase(Locale.ROOT);
    StringBuilder word = new StringBuilder();
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ' ';
      boolean inner = (c == '-' || c == '\'') && word.length() > 0 && i + 1 < text.length()
          && Character.isLetterOrDigit(text.charAt(i + 1));
      if (Character.isLetterOrDigit(c) || inner) {
        word.append(c);
        continue;
      }
      if (word.length() > 0) {
        tokens.add(word.toString());
        word.setLength(0);
      }
      if (c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?' || c == '(' || c == ')' || c == '/'
          || c == '&' || c == '+') {
        tokens.add(","); // every separator ends a phrase
      }
    }
    return tokens;
  }

  /** English plural to singular by suffix rules plus a short list of irregular and invariant words. */
  static String singular(String w) {
    String irregular = IRREGULAR.get(w);
    if (irregular != null) {
      return irregular;
    }
    if (w.length() <= 3 || !w.endsWith("s") || w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) {
      return w;
    }
    if (w.endsWith("ies") && w.length() > 4) {
      return w.substring(0, w.length() - 3) + "y";
    }
    if (w.endsWith("sses") || w.endsWith("shes") || w.endsWith("ches") || w.endsWith("xes") || w.endsWith("zzes")) {
      return w.substring(0, w.length() - 2);
    }
    return w.substring(0, w.length() - 1);
  }
}
