package org.ovss.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ovss.api.InvalidInputException;

class SettingsReaderTest {
  private final SettingsReader r = SettingsReader.training(Map.ofEntries(
      Map.entry("steps", " 2e1 "), Map.entry("half", "2.5"), Map.entry("neg", "-1"), Map.entry("word", "abc"),
      Map.entry("drop", "0.25"), Map.entry("one", "1"), Map.entry("flag", "TRUE"), Map.entry("yes", "yes"), Map.entry("list", "1, 2,3"),
      Map.entry("init", " /tmp/x "), Map.entry("blank", " "), Map.entry("inf", "Infinity"), Map.entry("f", "0.1")));

  @Test
  void readsTypedValuesAndFallsBack() {
    assertThat(r.whole("steps", 1)).hasValue(20);
    assertThat(r.whole("missing", 7, 1)).isEqualTo(7);
    assertThat(r.fraction("drop", 0.5)).isEqualTo(0.25);
    assertThat(r.positive("missing", 3.0)).isEqualTo(3.0);
    assertThat(r.nonNegative("drop", 1)).isEqualTo(0.25);
    assertThat(r.flag("flag", false)).isTrue();
    assertThat(r.integers("list", List.of())).containsExactly(1, 2, 3);
    assertThat(r.path("init")).contains(Path.of("/tmp/x"));
    assertThat(r.path("blank")).isEmpty();
    assertThat(r.choice("word", "x", List.of("abc", "def"))).isEqualTo("abc");
    assertThat(r.finiteFloat("f", 0f)).isEqualTo(Float.parseFloat("0.1"));
    assertThat(r.number("half", 0, 0, 2.5, false)).isEqualTo(2.5);
  }

  /** Every refusal: the kind, the key in quotes, what it must be, and the value as given. */
  @Test
  void everyErrorHasOneFormat() {
    assertError(() -> r.whole("half", 1), "training setting 'half' must be a whole number of at least 1, got '2.5'");
    assertError(() -> r.whole("neg", 0), "training setting 'neg' must be a whole number of at least 0, got '-1'");
    assertError(() -> r.positive("neg", 1), "training setting 'neg' must be a positive number, got '-1'");
    assertError(() -> r.number("inf", 0), "training setting 'inf' must be a finite number, got 'Infinity'");
    assertError(() -> r.fraction("one", 0), "training setting 'one' must be a number in [0, 1), got '1'");
    assertError(() -> r.number("half", 0, 0, 1, false), "training setting 'half' must be a number in (0.0, 1.0], got '2.5'");
    assertError(() -> r.number("neg", 0, 0, Double.MAX_VALUE, true),
        "training setting 'neg' must be a number in [0.0, inf), got '-1'");
    assertError(() -> r.flag("word", true), "training setting 'word' must be true or false, got 'abc'");
    assertError(() -> r.flag("yes", true), "training setting 'yes' must be true or false, got 'yes'");
    assertError(() -> r.integers("word", null), "training setting 'word' must be a comma-separated list of integers, got 'abc'");
    assertError(() -> r.choice("half", "a", List.of("a", "b")), "training setting 'half' must be one of [a, b], got '2.5'");
    assertError(() -> r.finiteFloat("word", 0f), "training setting 'word' must be a finite number, got 'abc'");
    assertError(() -> new SettingsReader(SettingsReader.OPTION, Map.of("k", "x")).whole("k", 1),
        "option 'k' must be a whole number of at least 1, got 'x'");
  }

  private static void assertError(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(InvalidInputException.class).hasMessage(message);
  }
}
