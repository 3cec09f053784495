package org.ovss.clip.tokenizer;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * CLIP's byte-level BPE tokenizer, a port of OpenAI CLIP's {@code simple_tokenizer.py} and {@code
 * clip.tokenize}. Text is cleaned, lower-cased, split into words, and each word's UTF-8 bytes are
 * merged by rank into vocabulary tokens; {@link #tokenize(String, int)} frames them with the
 * start and end tokens and pads with zeros.
 *
 * <p>CLIP cleans text with {@code ftfy.fix_text} before unescaping HTML. Of ftfy's defaults this
 * port applies the context-free ones (C1 controls read as Windows-1252, Latin ligatures split,
 * full- and half-width forms narrowed, curly quotes straightened, control characters removed, NFC)
 * but not ftfy's mojibake repair or its own HTML unescaping, so text that needs those can tokenize
 * differently from the Python original.
 *
 * <p>Instances are immutable apart from an internal cache and safe to share between threads.
 */
public final class ClipTokenizer {

  /** The start-of-text token; it must be in every vocabulary. */
  public static final String START_OF_TEXT = "<|startoftext|>";

  /** The end-of-text token; it must be in every vocabulary. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  /** Suffix marking a symbol that ends a word. */
  public static final String END_OF_WORD = "</w>";

  /** File name of OpenAI CLIP's merge list. */
  public static final String BPE_GZ_FILE = "bpe_simple_vocab_16e6.txt.gz";

  /** File name of a Hugging Face {@code CLIPTokenizer}'s vocabulary. */
  public static final String HF_VOCAB_FILE = "vocab.json";

  /** File name of a Hugging Face {@code CLIPTokenizer}'s merge list. */
  public static final String HF_MERGES_FILE = "merges.txt";

  /** CLIP reads only this many merges of its file: 49152 tokens less 256 bytes and 2 specials. */
  private static final int CLIP_MERGES = 49152 - 256 - 2;

  private static final String HF_MERGES_HEADER = "#version: 0.2";

  // The vocabulary is bounded, but the set of distinct words in a long-running process is not.
  private static final int CACHE_LIMIT = 1 << 16;

  // CLIP's pattern, except that U+0345 is kept out of the last class: Python's regex module,
  // matching case-insensitively, folds it to iota, a letter, so no branch matches it and CLIP
  // drops it.
  private static final Pattern WORD =
      Pattern.compile(
          "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]"
              + "|[^\\s\\p{L}\\p{N}\\u0345]+",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

  private final Map<String, Integer> encoder;
  private final String[] decoder;
  private final List<String[]> merges;
  private final Map<String, Integer> ranks;
  private final int sot;
  private final int eot;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  private ClipTokenizer(
      Map<String, Integer> encoder, List<String[]> merges, String vocabSource, String mergeSource) {
    this.encoder = Map.copyOf(encoder);
    this.sot = specialId(encoder, START_OF_TEXT, vocabSource);
    this.eot = specialId(encoder, END_OF_TEXT, vocabSource);
    // Ids must number the tokens 0..n-1, so that n is the size of the model's token embedding.
    this.decoder = new String[encoder.size()];
    for (Map.Entry<String, Integer> e : encoder.entrySet()) {
      int id = e.getValue();
      if (id < 0 || id >= decoder.length) {
        throw new IllegalArgumentException(
            vocabSource
                + ": token '"
                + e.getKey()
                + "' has id "
                + id
                + ", outside 0.."
                + (decoder.length - 1)
                + " (ids must number the tokens from 0)");
      }
      if (decoder[id] != null) {
        throw new IllegalArgumentException(
            vocabSource + ": tokens '" + decoder[id] + "' and '" + e.getKey() + "' share id " + id);
      }
      decoder[id] = e.getKey();
    }
    List<String[]> mergeCopy = new ArrayList<>(merges.size());
    Map<String, Integer> rankMap = new HashMap<>(merges.size() * 2);
    for (String[] merge : merges) {
      VocabularyFiles.checkMergeParts(merge, mergeSource);
      String merged = merge[0] + merge[1];
      if (!encoder.containsKey(merged)) {
        throw new IllegalArgumentException(
            mergeSource
                + ": merge '"
                + merge[0]
                + " "
                + merge[1]
                + "' makes '"
                + merged
                + "', which is not in the vocabulary ("
                + vocabSource
                + ")");
      }
      if (rankMap.putIfAbsent(pairKey(merge[0], merge[1]), mergeCopy.size()) != null) {
        throw new IllegalArgumentException(
            mergeSource + ": merge '" + merge[0] + " " + merge[1] + "' is listed twice");
      }
      mergeCopy.add(new String[] {merge[0], merge[1]});
    }
    this.merges = List.copyOf(mergeCopy);
    this.ranks = rankMap;
  }

  /**
   * Loads OpenAI CLIP's gzipped merge list ({@code bpe_simple_vocab_16e6.txt.gz}): a header line,
   * then one merge per line, of which CLIP uses the first 48,894. The vocabulary is built as CLIP
   * builds it (see {@link #ofMerges}).
   *
   * @throws IllegalArgumentException naming the file if it is missing, not gzip, has no merges or
   *     has a line that is not two symbols
   * @throws UncheckedIOException naming the file if reading it fails
   */
  public static ClipTokenizer fromBpeGz(Path bpeSimpleVocabGz) {
    VocabularyFiles.requireFile(bpeSimpleVocabGz, "CLIP BPE merges file");
    try {
      return fromBpeGz(Files.newInputStream(bpeSimpleVocabGz), bpeSimpleVocabGz.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + bpeSimpleVocabGz, e);
    }
  }

  /**
   * CLIP's own vocabulary, shipped with this module as OpenAI's {@code clip} package ships it (MIT
   * licence): the fallback for real CLIP weights (49408 tokens) that come without tokenizer files.
   */
  public static ClipTokenizer bundledClipVocabulary() {
    InputStream in = ClipTokenizer.class.getResourceAsStream(BPE_GZ_FILE);
    if (in == null) {
      throw new IllegalStateException("the bundled " + BPE_GZ_FILE + " is missing from the classpath");
    }
    return fromBpeGz(in, "bundled " + BPE_GZ_FILE);
  }

  private static ClipTokenizer fromBpeGz(InputStream gz, String source) {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8))) {
      reader.readLine(); // a header, not a merge
      String line;
      while (lines.size() < CLIP_MERGES && (line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (ZipException | EOFException e) {
      throw new IllegalArgumentException(
          source + ": not a complete gzip file (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
    List<String[]> merges = VocabularyFiles.parseMerges(lines, 2, source);
    return new ClipTokenizer(VocabularyFiles.clipVocabulary(merges, source), merges, source, source);
  }

  /**
   * Loads a Hugging Face {@code CLIPTokenizer}'s files: {@code vocab.json} (a VocabularyFiles.JSON object from
   * token to id that includes {@value #START_OF_TEXT} and {@value #END_OF_TEXT}) and {@code
   * merges.txt} (an optional {@code #version} header line, then one merge {@code "a b"} per line;
   * every merge is used).
   *
   * @throws IllegalArgumentException naming the file if either is missing or malformed, the
   *     vocabulary lacks a special token, or a merge makes a token the vocabulary lacks
   * @throws UncheckedIOException naming the file if reading fails
   */
  public static ClipTokenizer fromHuggingFace(Path vocabJson, Path mergesTxt) {
    VocabularyFiles.requireFile(vocabJson, "Hugging Face vocabulary file");
    VocabularyFiles.requireFile(mergesTxt, "Hugging Face merges file");
    Map<String, Integer> vocab = VocabularyFiles.readVocabJson(vocabJson);
    List<String> lines;
    try {
      lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + mergesTxt, e);
    }
    int firstLine = 1;
    if (!lines.isEmpty() && lines.get(0).startsWith("#version")) {
      lines = lines.subList(1, lines.size());
      firstLine = 2;
    }
    List<String[]> merges = VocabularyFiles.parseMerges(lines, firstLine, mergesTxt.toString());
    return new ClipTokenizer(vocab, merges, vocabJson.toString(), mergesTxt.toString());
  }

  /**
   * Loads the tokenizer in a model directory: {@code vocab.json} with {@code merges.txt} if both
   * are there, else {@code bpe_simple_vocab_16e6.txt.gz}.
   *
   * @throws IllegalArgumentException listing the files looked for if neither is there, or as the
   *     loader chosen throws
   */
  public static ClipTokenizer fromDirectory(Path dir) {
    Path vocab = dir.resolve(HF_VOCAB_FILE);
    Path mergesTxt = dir.resolve(HF_MERGES_FILE);
    if (Files.isRegularFile(vocab) && Files.isRegularFile(mergesTxt)) {
      return fromHuggingFace(vocab, mergesTxt);
    }
    Path gz = dir.resolve(BPE_GZ_FILE);
    if (Files.isRegularFile(gz)) {
      return fromBpeGz(gz);
    }
    throw new IllegalArgumentException(
        dir
            + ": no CLIP tokenizer found; looked for "
            + HF_VOCAB_FILE
            + " with "
            + HF_MERGES_FILE
            + " (Hugging Face) and for "
            + BPE_GZ_FILE
            + " (OpenAI CLIP)"
            + (Files.isDirectory(dir) ? "" : ", but the directory does not exist"));
  }

  /**
   * A tokenizer over an explicit vocabulary, in which a token's index is its id.
   *
   * @param vocab the tokens, including {@value #START_OF_TEXT} and {@value #END_OF_TEXT}
   * @param merges symbol pairs in rank order (first merges first); each must make a vocabulary
   *     token
   * @throws IllegalArgumentException if a token is listed twice, a special token is missing, or a
   *     merge is malformed, repeated or makes a token the vocabulary lacks
   */
  public static ClipTokenizer of(List<String> vocab, List<String[]> merges) {
    Map<String, Integer> encoder = new HashMap<>(vocab.size() * 2);
    for (int id = 0; id < vocab.size(); id++) {
      if (vocab.get(id) == null) {
        throw new IllegalArgumentException("vocabulary: token " + id + " is null");
      }
      Integer previous = encoder.putIfAbsent(vocab.get(id), id);
      if (previous != null) {
        throw new IllegalArgumentException(
            "vocabulary: token '" + vocab.get(id) + "' has ids " + previous + " and " + id);
      }
    }
    return new ClipTokenizer(encoder, merges, "vocabulary", "merges");
  }

  /**
   * A tokenizer over the vocabulary CLIP derives from a merge list: the 256 byte symbols, the same
   * with {@value #END_OF_WORD}, each merge's result in rank order, then {@value #START_OF_TEXT}
   * and {@value #END_OF_TEXT}. With CLIP's merges this gives ids 49406 and 49407 to the specials.
   *
   * @throws IllegalArgumentException if a merge is malformed or repeated, or two merges make the
   *     same token
   */
  public static ClipTokenizer ofMerges(List<String[]> merges) {
    return new ClipTokenizer(VocabularyFiles.clipVocabulary(merges, "merges"), merges, "vocabulary", "merges");
  }

  /**
   * A tokenizer whose merges spell out every word of {@code texts} left to right, so each of those words
   * (after CLIP's cleaning and pre-tokenisation) becomes one token; other words fall back to bytes. Used
   * to give a model trained from scratch on a small caption corpus a compact vocabulary that the same
   * loaders read as CLIP's own. The merge order (words by first appearance) is deterministic.
   */
  public static ClipTokenizer ofWords(Iterable<String> texts) {
    Set<String> seenMerges = new java.util.HashSet<>();
    List<String[]> merges = new ArrayList<>();
    for (String text : texts) {
      Matcher words = WORD.matcher(TextCleaner.clean(text));
      while (words.find()) {
        List<String> symbols = byteSymbols(words.group());
        String current = symbols.get(0);
        for (int i = 1; i < symbols.size(); i++) {
          String next = symbols.get(i);
          if (seenMerges.add(current + " " + next)) {
            merges.add(new String[] {current, next});
          }
          current = current + next;
        }
      }
    }
    return ofMerges(merges);
  }

  /** A word's bytes as CLIP's unicode symbols, the last one marked as word end. */
  private static List<String> byteSymbols(String word) {
    byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
    List<String> symbols = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      symbols.add(String.valueOf(VocabularyFiles.BYTE_TO_CHAR[b & 0xff]));
    }
    int last = symbols.size() - 1;
    symbols.set(last, symbols.get(last) + END_OF_WORD);
    return symbols;
  }

  /**
   * Writes {@code vocab.json} and {@code merges.txt} in Hugging Face's format into {@code dir},
   * creating it if needed, so that {@link #fromHuggingFace} reads back an identical tokenizer.
   *
   * @throws UncheckedIOException naming the file if writing fails
   */
  public void writeHuggingFace(Path dir) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int id = 0; id < decoder.length; id++) {
      vocab.put(decoder[id], id);
    }
    StringBuilder mergesText = new StringBuilder(HF_MERGES_HEADER).append('\n');
    for (String[] merge : merges) {
      mergesText.append(merge[0]).append(' ').append(merge[1]).append('\n');
    }
    Path vocabJson = dir.resolve(HF_VOCAB_FILE);
    Path mergesTxt = dir.resolve(HF_MERGES_FILE);
    try {
      Files.createDirectories(dir);
      VocabularyFiles.JSON.writeValue(vocabJson.toFile(), vocab);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + vocabJson, e);
    }
    try {
      Files.writeString(mergesTxt, mergesText, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + mergesTxt, e);
    }
  }

  /**
   * Token ids of {@code text}, framed as {@code clip.tokenize(text, contextLength, truncate=True)}
   * frames them: the start token, the text's ids, the end token, then zeros up to {@code
   * contextLength}. Text too long for the context keeps its first ids and ends with the end token.
   *
   * @throws IllegalArgumentException if {@code contextLength} is below 2, or the text holds a byte
   *     that the vocabulary lacks
   */
  public int[] tokenize(String text, int contextLength) {
    if (contextLength < 2) {
      throw new IllegalArgumentException(
          "context length must hold the start and end tokens, got " + contextLength);
    }
    int[] ids = encode(text);
    int[] out = new int[contextLength];
    out[0] = sot;
    int kept = Math.min(ids.length, contextLength - 2);
    System.arraycopy(ids, 0, out, 1, kept);
    out[kept + 1] = eot;
    return out;
  }

  /**
   * {@link #tokenize(String, int)} of each text, in order.
   *
   * @throws IllegalArgumentException as {@link #tokenize(String, int)}
   */
  public int[][] tokenize(List<String> texts, int contextLength) {
    int[][] out = new int[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = tokenize(texts.get(i), contextLength);
    }
    return out;
  }

  /**
   * Token ids of {@code text} without start and end tokens. Special tokens written in the text
   * ({@value #START_OF_TEXT}, {@value #END_OF_TEXT}) map to their ids, as in CLIP.
   *
   * @throws IllegalArgumentException if the text holds a byte that the vocabulary lacks
   */
  public int[] encode(String text) {
    int[] ids = new int[16];
    int count = 0;
    Matcher words = WORD.matcher(TextCleaner.clean(text));
    while (words.find()) {
      int[] wordIds = wordIds(words.group());
      if (count + wordIds.length > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(ids.length * 2, count + wordIds.length));
      }
      System.arraycopy(wordIds, 0, ids, count, wordIds.length);
      count += wordIds.length;
    }
    return Arrays.copyOf(ids, count);
  }

  /**
   * The text of token ids as CLIP decodes it: each word-final symbol ends in a space, bytes that
   * are not valid UTF-8 become U+FFFD, and start, end and padding ids are decoded like any other
   * id, so strip them first if unwanted.
   *
   * @throws IllegalArgumentException if an id is not in the vocabulary
   */
  public String decode(int[] ids) {
    StringBuilder symbols = new StringBuilder();
    for (int id : ids) {
      if (id < 0 || id >= decoder.length) {
        throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
      }
      symbols.append(decoder[id]);
    }
    byte[] bytes = new byte[symbols.length()];
    for (int i = 0; i < bytes.length; i++) {
      char c = symbols.charAt(i);
      if (c >= VocabularyFiles.CHAR_TO_BYTE.length || VocabularyFiles.CHAR_TO_BYTE[c] < 0) {
        throw new IllegalArgumentException(
            "token symbol U+" + Integer.toHexString(c) + " does not stand for a byte");
      }
      bytes[i] = (byte) VocabularyFiles.CHAR_TO_BYTE[c];
    }
    return new String(bytes, StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
  }

  /** The number of tokens, whose ids run from 0: the rows a token embedding needs. */
  public int vocabSize() {
    return decoder.length;
  }

  /** Id of {@value #START_OF_TEXT}. */
  public int sotToken() {
    return sot;
  }

  /**
   * Id of {@value #END_OF_TEXT}, where CLIP's text encoder pools; with CLIP's own vocabulary it is
   * the largest id in a row.
   */
  public int eotToken() {
    return eot;
  }

  private int[] wordIds(String word) {
    if (word.equals(START_OF_TEXT)) {
      return new int[] {sot};
    }
    if (word.equals(END_OF_TEXT)) {
      return new int[] {eot};
    }
    int[] cached = cache.get(word);
    if (cached != null) {
      return cached;
    }
    int[] ids = bpe(word);
    if (cache.size() >= CACHE_LIMIT) {
      // Dropping everything is cruder than LRU but needs no lock; real prompts repeat few words.
      cache.clear();
    }
    cache.put(word, ids);
    return ids;
  }

  private int[] bpe(String word) {
    List<String> symbols = byteSymbols(word);
    while (symbols.size() > 1) {
      int best = Integer.MAX_VALUE;
      String first = null;
      String second = null;
      for (int i = 0; i + 1 < symbols.size(); i++) {
        Integer rank = ranks.get(pairKey(symbols.get(i), symbols.get(i + 1)));
        if (rank != null && rank < best) {
          best = rank;
          first = symbols.get(i);
          second = symbols.get(i + 1);
        }
      }
      if (first == null) {
        break;
      }
      List<String> merged = new ArrayList<>(symbols.size());
      for (int i = 0; i < symbols.size(); i++) {
        if (i + 1 < symbols.size()
            && symbols.get(i).equals(first)
            && symbols.get(i + 1).equals(second)) {
          merged.add(first + second);
          i++;
        } else {
          merged.add(symbols.get(i));
        }
      }
      symbols = merged;
    }
    int[] ids = new int[symbols.size()];
    for (int i = 0; i < ids.length; i++) {
      Integer id = encoder.get(symbols.get(i));
      if (id == null) {
        throw new IllegalArgumentException(
            "symbol '" + symbols.get(i) + "' of word '" + word + "' is not in the vocabulary");
      }
      ids[i] = id;
    }
    return ids;
  }

  private static int specialId(Map<String, Integer> encoder, String token, String source) {
    Integer id = encoder.get(token);
    if (id == null) {
      throw new IllegalArgumentException(source + ": vocabulary lacks the token " + token);
    }
    return id;
  }

  // Symbols never contain spaces (bytes_to_unicode maps them away), so the key is unambiguous.
  private static String pairKey(String first, String second) {
    return first + ' ' + second;
  }
}
