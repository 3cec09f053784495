package org.ovss.clip.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
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

  private static final Pattern WHITESPACE =
      Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  private static final char[] BYTE_TO_CHAR = byteToUnicode();

  private static final int[] CHAR_TO_BYTE = invert(BYTE_TO_CHAR);

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Word_Break MidLetter, MidNumLet and Single_Quote: case-ignorable though not marks. */
  private static final String WORD_BREAK_MID =
      "'.:\u00B7\u0387\u055F\u05F4\u2018\u2019\u2024\u2027\uFE13\uFE52\uFE55\uFF07\uFF0E\uFF1A";

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
      checkMergeParts(merge, mergeSource);
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
    requireFile(bpeSimpleVocabGz, "CLIP BPE merges file");
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
    List<String[]> merges = parseMerges(lines, 2, source);
    return new ClipTokenizer(clipVocabulary(merges, source), merges, source, source);
  }

  /**
   * Loads a Hugging Face {@code CLIPTokenizer}'s files: {@code vocab.json} (a JSON object from
   * token to id that includes {@value #START_OF_TEXT} and {@value #END_OF_TEXT}) and {@code
   * merges.txt} (an optional {@code #version} header line, then one merge {@code "a b"} per line;
   * every merge is used).
   *
   * @throws IllegalArgumentException naming the file if either is missing or malformed, the
   *     vocabulary lacks a special token, or a merge makes a token the vocabulary lacks
   * @throws UncheckedIOException naming the file if reading fails
   */
  public static ClipTokenizer fromHuggingFace(Path vocabJson, Path mergesTxt) {
    requireFile(vocabJson, "Hugging Face vocabulary file");
    requireFile(mergesTxt, "Hugging Face merges file");
    Map<String, Integer> vocab = readVocabJson(vocabJson);
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
    List<String[]> merges = parseMerges(lines, firstLine, mergesTxt.toString());
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
    return new ClipTokenizer(clipVocabulary(merges, "merges"), merges, "vocabulary", "merges");
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
      Matcher words = WORD.matcher(clean(text));
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
      symbols.add(String.valueOf(BYTE_TO_CHAR[b & 0xff]));
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
      JSON.writeValue(vocabJson.toFile(), vocab);
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
    Matcher words = WORD.matcher(clean(text));
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
      if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
        throw new IllegalArgumentException(
            "token symbol U+" + Integer.toHexString(c) + " does not stand for a byte");
      }
      bytes[i] = (byte) CHAR_TO_BYTE[c];
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

  /** CLIP's {@code whitespace_clean(basic_clean(text)).lower()}, ftfy approximated. */
  private static String clean(String text) {
    String fixed = Normalizer.normalize(ftfyTranslations(text), Normalizer.Form.NFC);
    String unescaped = Html.unescape(Html.unescape(fixed));
    // Python's strip() also treats U+001C..U+001F as space, which \s does not; ftfy has removed
    // them and html.unescape never produces them, so Java's strip() after collapsing agrees.
    return pythonLower(WHITESPACE.matcher(unescaped).replaceAll(" ").strip());
  }

  /**
   * Python's {@code str.lower()}. Java's {@code toLowerCase} differs in when a capital sigma
   * becomes the final form: it looks for word boundaries where Python looks for cased letters.
   */
  private static String pythonLower(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (cp == 0x0130) {
        out.append("i\u0307"); // the one unconditional lower-case mapping longer than a character
      } else if (cp == 0x03A3) {
        out.append(isFinalSigma(text, i) ? '\u03C2' : '\u03C3');
      } else {
        out.appendCodePoint(Character.toLowerCase(cp));
      }
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /** Unicode's Final_Sigma: a cased letter before it and none after, skipping case-ignorables. */
  private static boolean isFinalSigma(String text, int index) {
    int before = index;
    int cp = 0;
    while (before > 0) {
      cp = text.codePointBefore(before);
      before -= Character.charCount(cp);
      if (!isCaseIgnorable(cp)) {
        break;
      }
    }
    if (before == index || isCaseIgnorable(cp) || !isCased(cp)) {
      return false;
    }
    for (int after = index + 1; after < text.length(); ) {
      cp = text.codePointAt(after);
      if (!isCaseIgnorable(cp)) {
        return !isCased(cp);
      }
      after += Character.charCount(cp);
    }
    return true;
  }

  private static boolean isCased(int cp) {
    return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
  }

  private static boolean isCaseIgnorable(int cp) {
    switch (Character.getType(cp)) {
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.FORMAT:
      case Character.MODIFIER_LETTER:
      case Character.MODIFIER_SYMBOL:
        return true;
      default:
        return WORD_BREAK_MID.indexOf(cp) >= 0;
    }
  }

  /** ftfy's per-character fixes, applied one after another as ftfy applies them. */
  private static String ftfyTranslations(String text) {
    String s = translate(text, ClipTokenizer::c1AsWindows1252);
    s = translate(s, ClipTokenizer::latinLigature);
    s = translate(s, ClipTokenizer::narrowWidth);
    s = translate(s, ClipTokenizer::straightQuote);
    return translate(s, cp -> isUnwantedControl(cp) ? "" : null);
  }

  /** Applies {@code fix} to each code point; a null result keeps the code point. */
  private static String translate(String text, IntFunction<String> fix) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      String replacement = fix.apply(cp);
      if (replacement != null && out == null) {
        out = new StringBuilder(text.length()).append(text, 0, i);
      }
      if (out != null) {
        if (replacement != null) {
          out.append(replacement);
        } else {
          out.appendCodePoint(cp);
        }
      }
      i += Character.charCount(cp);
    }
    return out == null ? text : out.toString();
  }

  private static String c1AsWindows1252(int cp) {
    if (cp < 0x80 || cp > 0x9F) {
      return null;
    }
    // ftfy's "sloppy" Windows-1252 keeps the five bytes the code page leaves undefined.
    String decoded = new String(new byte[] {(byte) cp}, WINDOWS_1252);
    return decoded.equals("\uFFFD") ? null : decoded;
  }

  private static String latinLigature(int cp) {
    return switch (cp) {
      case 0x0132 -> "IJ";
      case 0x0133 -> "ij";
      case 0x0149 -> "\u02BCn";
      case 0x01F1 -> "DZ";
      case 0x01F2 -> "Dz";
      case 0x01F3 -> "dz";
      case 0x01C4 -> "D\u017D";
      case 0x01C5 -> "D\u017E";
      case 0x01C6 -> "d\u017E";
      case 0x01C7 -> "LJ";
      case 0x01C8 -> "Lj";
      case 0x01C9 -> "lj";
      case 0x01CA -> "NJ";
      case 0x01CB -> "Nj";
      case 0x01CC -> "nj";
      case 0xFB00 -> "ff";
      case 0xFB01 -> "fi";
      case 0xFB02 -> "fl";
      case 0xFB03 -> "ffi";
      case 0xFB04 -> "ffl";
      case 0xFB05 -> "\u017Ft";
      case 0xFB06 -> "st";
      default -> null;
    };
  }

  private static String narrowWidth(int cp) {
    if (cp == 0x3000) {
      return " ";
    }
    if (cp < 0xFF01 || cp > 0xFFEF) {
      return null;
    }
    String c = Character.toString(cp);
    String normal = Normalizer.normalize(c, Normalizer.Form.NFKC);
    return normal.equals(c) ? null : normal;
  }

  private static String straightQuote(int cp) {
    if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
      return "'";
    }
    return cp >= 0x201C && cp <= 0x201F ? "\"" : null;
  }

  private static boolean isUnwantedControl(int cp) {
    return cp <= 0x08
        || cp == 0x0B
        || (cp >= 0x0E && cp <= 0x1F)
        || cp == 0x7F
        || (cp >= 0x206A && cp <= 0x206F)
        || cp == 0xFEFF
        || (cp >= 0xFFF9 && cp <= 0xFFFC);
  }

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
  private static Map<String, Integer> clipVocabulary(List<String[]> merges, String mergeSource) {
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
      tokens.add(tokens.get(i) + END_OF_WORD);
    }
    for (String[] merge : merges) {
      checkMergeParts(merge, mergeSource);
      tokens.add(merge[0] + merge[1]);
    }
    tokens.add(START_OF_TEXT);
    tokens.add(END_OF_TEXT);
    Map<String, Integer> encoder = new HashMap<>(tokens.size() * 2);
    for (int id = 0; id < tokens.size(); id++) {
      if (encoder.putIfAbsent(tokens.get(id), id) != null) {
        throw new IllegalArgumentException(
            mergeSource + ": token '" + tokens.get(id) + "' is made by more than one merge");
      }
    }
    return encoder;
  }

  private static List<String[]> parseMerges(List<String> lines, int firstLine, String source) {
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

  private static void checkMergeParts(String[] merge, String source) {
    if (merge == null || merge.length != 2) {
      throw new IllegalArgumentException(
          source + ": a merge must be two symbols, got " + Arrays.toString(merge));
    }
    for (String part : merge) {
      if (part == null || part.isEmpty() || WHITESPACE.matcher(part).find()) {
        throw new IllegalArgumentException(
            source
                + ": merge symbols must be non-empty and free of whitespace, got "
                + Arrays.toString(merge));
      }
    }
  }

  private static Map<String, Integer> readVocabJson(Path vocabJson) {
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

  private static void requireFile(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          file + ": " + what + (Files.exists(file) ? " is not a regular file" : " not found"));
    }
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

  /** Python's {@code html.unescape}, with the HTML 4 entity names rather than all of HTML 5's. */
  private static final class Html {
    private static final Pattern CHARREF =
        Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    // Entities that HTML 5 also recognises without the closing semicolon.
    private static final String LEGACY =
        """
        QUOT=22 quot=22 AMP=26 amp=26 LT=3c lt=3c GT=3e gt=3e nbsp=a0 iexcl=a1 cent=a2 pound=a3
        curren=a4 yen=a5 brvbar=a6 sect=a7 uml=a8 COPY=a9 copy=a9 ordf=aa laquo=ab not=ac shy=ad
        REG=ae reg=ae macr=af deg=b0 plusmn=b1 sup2=b2 sup3=b3 acute=b4 micro=b5 para=b6 middot=b7
        cedil=b8 sup1=b9 ordm=ba raquo=bb frac14=bc frac12=bd frac34=be iquest=bf Agrave=c0
        Aacute=c1 Acirc=c2 Atilde=c3 Auml=c4 Aring=c5 AElig=c6 Ccedil=c7 Egrave=c8 Eacute=c9
        Ecirc=ca Euml=cb Igrave=cc Iacute=cd Icirc=ce Iuml=cf ETH=d0 Ntilde=d1 Ograve=d2 Oacute=d3
        Ocirc=d4 Otilde=d5 Ouml=d6 times=d7 Oslash=d8 Ugrave=d9 Uacute=da Ucirc=db Uuml=dc
        Yacute=dd THORN=de szlig=df agrave=e0 aacute=e1 acirc=e2 atilde=e3 auml=e4 aring=e5
        aelig=e6 ccedil=e7 egrave=e8 eacute=e9 ecirc=ea euml=eb igrave=ec iacute=ed icirc=ee
        iuml=ef eth=f0 ntilde=f1 ograve=f2 oacute=f3 ocirc=f4 otilde=f5 ouml=f6 divide=f7
        oslash=f8 ugrave=f9 uacute=fa ucirc=fb uuml=fc yacute=fd thorn=fe yuml=ff
        """;

    private static final String OTHER =
        """
        apos=27 OElig=152 oelig=153 Scaron=160 scaron=161 Yuml=178 fnof=192 circ=2c6 tilde=2dc
        Alpha=391 Beta=392 Gamma=393 Delta=394 Epsilon=395 Zeta=396 Eta=397 Theta=398 Iota=399
        Kappa=39a Lambda=39b Mu=39c Nu=39d Xi=39e Omicron=39f Pi=3a0 Rho=3a1 Sigma=3a3 Tau=3a4
        Upsilon=3a5 Phi=3a6 Chi=3a7 Psi=3a8 Omega=3a9 alpha=3b1 beta=3b2 gamma=3b3 delta=3b4
        epsilon=3b5 zeta=3b6 eta=3b7 theta=3b8 iota=3b9 kappa=3ba lambda=3bb mu=3bc nu=3bd xi=3be
        omicron=3bf pi=3c0 rho=3c1 sigmaf=3c2 sigma=3c3 tau=3c4 upsilon=3c5 phi=3c6 chi=3c7
        psi=3c8 omega=3c9 thetasym=3d1 upsih=3d2 piv=3d6 ensp=2002 emsp=2003 thinsp=2009 zwnj=200c
        zwj=200d lrm=200e rlm=200f ndash=2013 mdash=2014 lsquo=2018 rsquo=2019 sbquo=201a
        ldquo=201c rdquo=201d bdquo=201e dagger=2020 Dagger=2021 bull=2022 hellip=2026 permil=2030
        prime=2032 Prime=2033 lsaquo=2039 rsaquo=203a oline=203e frasl=2044 euro=20ac image=2111
        weierp=2118 real=211c trade=2122 alefsym=2135 larr=2190 uarr=2191 rarr=2192 darr=2193
        harr=2194 crarr=21b5 lArr=21d0 uArr=21d1 rArr=21d2 dArr=21d3 hArr=21d4 forall=2200
        part=2202 exist=2203 empty=2205 nabla=2207 isin=2208 notin=2209 ni=220b prod=220f sum=2211
        minus=2212 lowast=2217 radic=221a prop=221d infin=221e ang=2220 and=2227 or=2228 cap=2229
        cup=222a int=222b there4=2234 sim=223c cong=2245 asymp=2248 ne=2260 equiv=2261 le=2264
        ge=2265 sub=2282 sup=2283 nsub=2284 sube=2286 supe=2287 oplus=2295 otimes=2297 perp=22a5
        sdot=22c5 lceil=2308 rceil=2309 lfloor=230a rfloor=230b loz=25ca spades=2660 clubs=2663
        hearts=2665 diams=2666 lang=27e8 rang=27e9
        """;

    private static final Map<String, Integer> NAMED = new HashMap<>();
    private static final Map<String, Integer> NAMED_LEGACY = new HashMap<>();

    static {
      for (String entry : LEGACY.strip().split("\\s+")) {
        putEntity(entry, NAMED);
        putEntity(entry, NAMED_LEGACY);
      }
      for (String entry : OTHER.strip().split("\\s+")) {
        putEntity(entry, NAMED);
      }
    }

    private Html() {}

    private static void putEntity(String entry, Map<String, Integer> map) {
      int eq = entry.indexOf('=');
      map.put(entry.substring(0, eq), Integer.parseInt(entry.substring(eq + 1), 16));
    }

    static String unescape(String text) {
      if (text.indexOf('&') < 0) {
        return text;
      }
      return CHARREF.matcher(text).replaceAll(m -> Matcher.quoteReplacement(reference(m.group(1))));
    }

    private static String reference(String ref) {
      if (ref.charAt(0) == '#') {
        return numeric(ref);
      }
      if (ref.endsWith(";")) {
        Integer cp = NAMED.get(ref.substring(0, ref.length() - 1));
        if (cp != null) {
          return Character.toString(cp);
        }
      }
      // Like browsers, take the longest legacy name that starts the reference, keeping the rest.
      for (int end = ref.endsWith(";") ? ref.length() - 1 : ref.length(); end > 1; end--) {
        Integer cp = NAMED_LEGACY.get(ref.substring(0, end));
        if (cp != null) {
          return Character.toString(cp) + ref.substring(end);
        }
      }
      return "&" + ref;
    }

    /** The HTML 5 rules for numeric references, as Python applies them. */
    private static String numeric(String ref) {
      boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
      String digits = ref.substring(hex ? 2 : 1, ref.length() - (ref.endsWith(";") ? 1 : 0));
      BigInteger value = new BigInteger(digits, hex ? 16 : 10);
      if (value.compareTo(BigInteger.valueOf(Character.MAX_CODE_POINT)) > 0) {
        return "\uFFFD";
      }
      int cp = value.intValue();
      if (cp == 0) {
        return "\uFFFD";
      }
      if (cp == 0x0D) {
        return "\r";
      }
      if (cp >= 0x80 && cp <= 0x9F) {
        String windows1252 = c1AsWindows1252(cp);
        return windows1252 != null ? windows1252 : Character.toString(cp);
      }
      if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
        return "\uFFFD";
      }
      boolean invalid =
          (cp >= 0x01 && cp <= 0x08)
              || cp == 0x0B
              || (cp >= 0x0E && cp <= 0x1F)
              || cp == 0x7F
              || (cp >= 0xFDD0 && cp <= 0xFDEF)
              || (cp & 0xFFFE) == 0xFFFE;
      return invalid ? "" : Character.toString(cp);
    }
  }
}
