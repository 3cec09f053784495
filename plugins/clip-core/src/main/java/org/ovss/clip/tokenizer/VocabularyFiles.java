package org.ovss.clip.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tokenizer's files hold and how CLIP reads them: GPT-2's byte symbols, CLIP's vocabulary derived from a merge
 * list, merge lines and Hugging Face's vocab.json, each refused with a message naming the file and line.
 */
final class VocabularyFiles {
  /** GPT-2's byte-to-symbol table and its inverse (-1 where a char is no byte's symbol). */
  static final char[] BYTE_TO_CHAR = byteToUnicode();
  static final int[] CHAR_TO_BYTE = invert(BYTE_TO_CHAR);

  static final ObjectMapper JSON = new ObjectMapper();

  private VocabularyFiles() {}

  /** GPT-2's reversible map from bytes to printable characters, so BPE never sees whitespace. */
  private static char[] byteToUnicode() {
    char[] table = new char[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      table[b] = isPrintableByte(b) ? (char) b : (char) next++;
    }
    return table;
  }

  private static boolean isPrintableByte(int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  }

  private static int[] invert(char[] byteToChar) {
    int[] charToByte = new int[256 + 256];
    Arrays.fill(charToByte, -1);
    for (int b = 0; b < 256; b++) {
      charToByte[byteToChar[b]] = b;
    }
    return charToByte;
  }

  /** CLIP's vocabulary for a merge list, as token to id. */
  static Map<String, Integer> clipVocabulary(List<String[]> merges, String mergeSource) {
    List<String> tokens = new ArrayList<>(512 + merges.size() + 2);
    // Printable bytes first, then the rest: the order of CLIP's bytes_to_unicode() values.
    for (int b = 0; b < 256; b++) {
      if (isPrintableByte(b)) {
        tokens.add(String.valueOf(BYTE_TO_CHAR[b]));
      }
    }
    for (int b = 0; b < 256; b++) {
      if (!isPrintableByte(b)) {
        tokens.add(String.valueOf(BYTE_TO_CHAR[b]));
      }
    }
    for (int i = 0; i < 256; i++) {
      tokens.add(tokens.get(i) + ClipTokenizer.END_OF_WORD);
    }
    for (String[] merge : merges) {
      checkMergeParts(merge, mergeSource);
      tokens.add(merge[0] + merge[1]);
    }
    tokens.add(ClipTokenizer.START_OF_TEXT);
    tokens.add(ClipTokenizer.END_OF_TEXT);
    Map<String, Integer> encoder = new HashMap<>(tokens.size() * 2);
    for (int id = 0; id < tokens.size(); id++) {
      if (encoder.putIfAbsent(tokens.get(id), id) != null) {
        throw new IllegalArgumentException(
            mergeSource + ": token '" + tokens.get(id) + "' is made by more than one merge");
      }
    }
    return encoder;
  }

  static List<String[]> parseMerges(List<String> lines, int firstLine, String source) {
    List<String[]> merges = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(
            source
                + ": line "
                + (firstLine + i)
                + " is not a merge of two symbols separated by a space: '"
                + lines.get(i)
                + "'");
      }
      merges.add(parts);
    }
    if (merges.isEmpty()) {
      throw new IllegalArgumentException(source + ": no merges");
    }
    return merges;
  }

  static void checkMergeParts(String[] merge, String source) {
    if (merge == null || merge.length != 2) {
      throw new IllegalArgumentException(
          source + ": a merge must be two symbols, got " + Arrays.toString(merge));
    }
    for (String part : merge) {
      if (part == null || part.isEmpty() || TextCleaner.WHITESPACE.matcher(part).find()) {
        throw new IllegalArgumentException(
            source
                + ": merge symbols must be non-empty and free of whitespace, got "
                + Arrays.toString(merge));
      }
    }
  }

  static Map<String, Integer> readVocabJson(Path vocabJson) {
    JsonNode root;
    try {
      root = JSON.readTree(vocabJson.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          vocabJson + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + vocabJson, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          vocabJson + ": expected a JSON object mapping tokens to ids");
    }
    Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (!e.getValue().isInt()) {
        throw new IllegalArgumentException(
            vocabJson + ": token '" + e.getKey() + "' maps to " + e.getValue() + ", not an int id");
      }
      vocab.put(e.getKey(), e.getValue().intValue());
    }
    return vocab;
  }

  static void requireFile(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          file + ": " + what + (Files.exists(file) ? " is not a regular file" : " not found"));
    }
  }
}
