package org.ovss.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PapersTest {
  @Test
  void citationsGiveAuthorsTitleVenueYearAndArxiv() {
    assertThat(Papers.get("sclip-2024").citation()).isEqualTo("Wang, Mei, Yuille. SCLIP: Rethinking Self-Attention for"
        + " Dense Vision-Language Inference. ECCV 2024 (arXiv:2312.01597)");
    assertThat(Papers.get("clippy-2023").citation()).isEqualTo("Ranasinghe, McKinzie, Ravi, Yang, Toshev, Shlens."
        + " Perceptual Grouping in Contrastive Vision-Language Models. ICCV 2023 (arXiv:2210.09996)");
    // seven authors and more: the first one, et al.
    assertThat(Papers.get("pacl-2023").citation()).isEqualTo("Mukhoti et al. Open Vocabulary Semantic Segmentation"
        + " with Patch Aligned Contrastive Learning. CVPR 2023 (arXiv:2212.04994)");
    // no arXiv version: the DOI
    assertThat(Papers.get("simseg-2023").citation()).isEqualTo("Yi, Cui, Wu, Yang, Yoshie, Lu. A Simple Framework for"
        + " Text-Supervised Semantic Segmentation. CVPR 2023 (doi:10.1109/CVPR52729.2023.00683)");
    assertThat(Papers.get("sclip-2024").shortForm()).isEqualTo("SCLIP (Wang et al. 2024)");
    assertThat(Papers.get("pamr-2020").shortForm()).isEqualTo("PAMR (Araslanov and Roth 2020)");
  }

  @Test
  void everyRegisteredPaperIsComplete() {
    assertThat(Papers.all()).containsKeys("clip-2021", "maskclip-2022", "groupvit-2022", "clippy-2023", "pacl-2023",
        "simseg-2023", "segclip-2023", "sclip-2024");
    Papers.all().forEach((id, p) -> {
      assertThat(p.id()).isEqualTo(id);
      assertThat(id).matches("[a-z][a-z0-9-]*-" + p.year());
      assertThat(p.arxiv() != null || p.doi() != null).as("%s has an arXiv id or a DOI", id).isTrue();
      if (p.arxiv() != null) {
        assertThat(p.arxiv()).matches("\\d{4}\\.\\d{4,5}");
      }
      if (p.code() != null) {
        assertThat(p.code()).matches("[\\w.-]+/[\\w.-]+@[0-9a-f]{7,40}");
      }
    });
  }

  @Test
  void unknownKeysAndIncompleteEntriesAreRefusedByName() throws Exception {
    assertThatThrownBy(() -> Papers.get("sclip")).isInstanceOf(UnknownNameException.class)
        .hasMessageStartingWith("unknown paper 'sclip'; available: ").hasMessageContaining("sclip-2024");
    var noYear = new ObjectMapper().readTree("{\"x-2020\": {\"name\": \"X\", \"authors\": [\"A\"], \"title\": \"T\","
        + " \"venue\": \"V\"}}");
    assertThatThrownBy(() -> Papers.parse(noYear, "board b.json")).isInstanceOf(InvalidInputException.class)
        .hasMessage("board b.json: paper 'x-2020' needs a numeric 'year'");
    var noAuthors = new ObjectMapper().readTree("{\"x-2020\": {\"name\": \"X\", \"title\": \"T\", \"venue\": \"V\","
        + " \"year\": 2020}}");
    assertThatThrownBy(() -> Papers.parse(noAuthors, "board b.json")).isInstanceOf(InvalidInputException.class)
        .hasMessage("board b.json: paper 'x-2020' needs 'authors', a non-empty list of surnames");
  }
}
