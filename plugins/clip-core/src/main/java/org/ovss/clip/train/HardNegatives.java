package org.ovss.clip.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hard negative captions made by swapping one word, after NegCLIP (Yuksekgonul et al. When and why vision-language
 * models behave like bags-of-words, and what to do about it? ICLR 2023, arXiv 2210.01936, Sec. 4: each caption's
 * negative differs from it in a swapped word). Here the swapped word is one of a caption's class words, replaced by
 * another word of its set that the caption does not already contain: "a red circle on grass" becomes "a red star on
 * grass", which only the shape itself tells apart from the truth.
 */
public final class HardNegatives {
  private static final Pattern WORD = Pattern.compile("[A-Za-z]+");

  private final List<List<String>> sets;

  /** @param sets sets of interchangeable words (e.g. class names in the singular, and in the plural) */
  public HardNegatives(List<List<String>> sets) {
    this.sets = sets.stream().map(s -> s.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList()).toList();
  }

  /** Whether there is any word to swap. */
  public boolean isEmpty() {
    return sets.stream().allMatch(s -> s.size() < 2);
  }

  /**
   * {@code caption} with one of its class words (chosen uniformly among the occurrences) replaced by another word of
   * that word's set that the caption does not contain, or empty when the caption names none or every alternative is
   * already in it.
   */
  public Optional<String> swap(String caption, Random random) {
    List<int[]> hits = new ArrayList<>(); // start, end, set
    List<String> present = new ArrayList<>();
    Matcher m = WORD.matcher(caption);
    while (m.find()) {
      String word = m.group().toLowerCase(Locale.ROOT);
      for (int s = 0; s < sets.size(); s++) {
        if (sets.get(s).contains(word)) {
          hits.add(new int[] {m.start(), m.end(), s});
          present.add(word);
        }
      }
    }
    if (hits.isEmpty()) {
      return Optional.empty();
    }
    int[] hit = hits.get(random.nextInt(hits.size()));
    List<String> others = new ArrayList<>();
    for (String w : sets.get(hit[2])) {
      if (!present.contains(w)) {
        others.add(w);
      }
    }
    if (others.isEmpty()) {
      return Optional.empty();
    }
    String with = others.get(random.nextInt(others.size()));
    if (Character.isUpperCase(caption.charAt(hit[0]))) {
      with = Character.toUpperCase(with.charAt(0)) + with.substring(1);
    }
    return Optional.of(caption.substring(0, hit[0]) + with + caption.substring(hit[1]));
  }
}
