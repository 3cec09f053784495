package org.ovss.clip.tokenizer;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.ovss.api.InvalidInputException;

/** Finds the tokenizer that belongs to a model's weights; shared by every method that reads CLIP-style text. */
public final class ModelTokenizer {
  /** Size of CLIP's own BPE vocabulary, which clip-core ships. */
  public static final int CLIP_VOCABULARY = 49408;

  private ModelTokenizer() {}

  /**
   * The tokenizer: {@code location} (a directory or a bpe gz file), else vocab.json + merges.txt or
   * bpe_simple_vocab_16e6.txt.gz beside the weights, else CLIP's bundled vocabulary when the model embeds exactly
   * CLIP's 49408 tokens (real CLIP weights often come alone).
   *
   * @param howToPass how a user names the tokenizer, for the error message ({@code --tokenizer})
   * @throws InvalidInputException when none is found, it cannot be read, or it has more tokens than the model embeds
   */
  public static ClipTokenizer resolve(Optional<Path> location, Path weights, int vocabSize, String howToPass) {
    ClipTokenizer t;
    Object from;
    try {
      if (location.isPresent()) {
        Path p = location.get();
        from = p;
        t = Files.isDirectory(p) ? ClipTokenizer.fromDirectory(p) : ClipTokenizer.fromBpeGz(p);
      } else {
        Path dir = weights.toAbsolutePath().getParent();
        from = dir;
        if (hasFiles(dir)) {
          t = ClipTokenizer.fromDirectory(dir);
        } else if (vocabSize == CLIP_VOCABULARY) {
          from = "the bundled CLIP vocabulary";
          t = ClipTokenizer.bundledClipVocabulary();
        } else {
          throw new InvalidInputException("no tokenizer beside " + weights + " (looked for " + ClipTokenizer.HF_VOCAB_FILE
              + " + " + ClipTokenizer.HF_MERGES_FILE + " or " + ClipTokenizer.BPE_GZ_FILE + ") and the model's vocabulary of "
              + vocabSize + " tokens is not CLIP's: pass " + howToPass);
        }
      }
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new InvalidInputException("cannot load the tokenizer: " + e.getMessage(), e);
    }
    if (t.vocabSize() > vocabSize) {
      throw new InvalidInputException("tokenizer " + from + " has " + t.vocabSize() + " tokens but the model's token "
          + "embedding has only " + vocabSize + " rows: they do not belong together");
    }
    return t;
  }

  /** Whether {@code dir} holds a tokenizer (Hugging Face vocab.json + merges.txt, or CLIP's bpe gz file). */
  public static boolean hasFiles(Path dir) {
    return Files.isRegularFile(dir.resolve(ClipTokenizer.BPE_GZ_FILE))
        || (Files.isRegularFile(dir.resolve(ClipTokenizer.HF_VOCAB_FILE))
            && Files.isRegularFile(dir.resolve(ClipTokenizer.HF_MERGES_FILE)));
  }
}
