package org.ovss.clip.tokenizer;

import java.nio.charset.Charset;
import java.text.Normalizer;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * CLIP's text cleaning before BPE: {@code whitespace_clean(basic_clean(text)).lower()} with ftfy's per-character fixes
 * approximated, HTML entities unescaped twice, whitespace collapsed and Python's lower-casing.
 */
final class TextCleaner {
  static final Pattern WHITESPACE =
      Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  /** Word_Break MidLetter, MidNumLet and Single_Quote: case-ignorable though not marks. */
  private static final String WORD_BREAK_MID =
      "'.:\u00B7\u0387\u055F\u05F4\u2018\u2019\u2024\u2027\uFE13\uFE52\uFE55\uFF07\uFF0E\uFF1A";

  private TextCleaner() {}

  /** CLIP's {@code whitespace_clean(basic_clean(text)).lower()}, ftfy approximated. */
  static String clean(String text) {
    String fixed = Normalizer.normalize(ftfyTranslations(text), Normalizer.Form.NFC);
    String unescaped = HtmlUnescape.unescape(HtmlUnescape.unescape(fixed));
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
    String s = translate(text, TextCleaner::c1AsWindows1252);
    s = translate(s, TextCleaner::latinLigature);
    s = translate(s, TextCleaner::narrowWidth);
    s = translate(s, TextCleaner::straightQuote);
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

  static String c1AsWindows1252(int cp) {
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
}
