package org.ovss.api;

import java.util.List;
import java.util.Objects;

/**
 * A published paper as the harness cites it: surnames, title, venue and year, with its arXiv id or DOI where it
 * has one, and the official code at the commit this project's constants were read from. Entries live in the citation
 * registry {@link Papers}.
 *
 * @param id stable registry key ({@code sclip-2024})
 * @param name the method's short name ({@code SCLIP})
 * @param authors surnames in the paper's order
 * @param title the title as the paper prints it
 * @param venue conference or journal ({@code ECCV})
 * @param year publication year
 * @param arxiv arXiv identifier ({@code 2312.01597}), or null
 * @param doi DOI, or null (given where there is no arXiv version)
 * @param code the public implementation this project read, at its commit ({@code wangf3014/SCLIP@b56bd30}): the
 *     official code, or for CLIPpy, whose code is not public, its first author's unofficial replication; null when
 *     there is none (PACL)
 */
public record Paper(String id, String name, List<String> authors, String title, String venue, int year, String arxiv,
    String doi, String code) {

  /** Author lists longer than this are cited by their first author, "et al.". */
  static final int MAX_LISTED_AUTHORS = 6;

  public Paper {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    authors = List.copyOf(authors);
    if (authors.isEmpty()) {
      throw new IllegalArgumentException("paper " + id + " has no authors");
    }
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(venue, "venue");
  }

  /**
   * The full reference: "Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for Dense Vision-Language Inference.
   * ECCV 2024 (arXiv:2312.01597)".
   */
  public String citation() {
    String who = authors.size() > MAX_LISTED_AUTHORS ? authors.get(0) + " et al" : String.join(", ", authors);
    String ids = arxiv != null ? " (arXiv:" + arxiv + ")" : doi != null ? " (doi:" + doi + ")" : "";
    return who + ". " + title + (title.endsWith("?") || title.endsWith(".") ? " " : ". ") + venue + " " + year + ids;
  }

  /** A short label for table cells and captions: "SCLIP (Wang et al. 2024)". */
  public String shortForm() {
    String who = switch (authors.size()) {
      case 1 -> authors.get(0);
      case 2 -> authors.get(0) + " and " + authors.get(1);
      default -> authors.get(0) + " et al.";
    };
    return name + " (" + who + " " + year + ")";
  }
}
