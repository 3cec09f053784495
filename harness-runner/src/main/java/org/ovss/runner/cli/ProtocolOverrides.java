package org.ovss.runner.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ovss.api.InvalidInputException;
import picocli.CommandLine.Option;

/** Command-line overrides of protocol settings, shared by the commands that run a protocol. */
final class ProtocolOverrides {
  @Option(names = "--short-side", description = "override: short side of the resized image") Integer shortSide;
  @Option(names = "--crop", description = "override: sliding-window size") Integer crop;
  @Option(names = "--stride", description = "override: sliding-window stride") Integer stride;
  @Option(names = "--whole", description = "override: whole-image inference instead of sliding windows") boolean whole;
  @Option(names = "--logit-scale", description = "override: logit scale") Double logitScale;
  @Option(names = "--prob-thd", description = "override: probability threshold for class 0") Double probThd;
  @Option(names = "--area-thd", description = "override: SCLIP area threshold ('off' to disable)") String areaThd;
  @Option(names = "--bg-threshold", description = "override: background threshold ('off' to disable)") String bgThreshold;
  @Option(names = "--prompts", description = "override: prompt set name or file") String prompts;
  @Option(names = "--class-names", description = "override: default (synonym files) or alt (GroupViT/SegCLIP names)") String classNames;

  @Option(names = "--pamr", paramLabel = "ITERS:DIL,DIL", description = "PAMR on the logits, e.g. 10:8,16 ('off' to disable)")
  String pamr;

  @Option(names = "--crf", arity = "0..1", fallbackValue = "", paramLabel = "NAME=VALUE;...",
      description = "DenseCRF on the class probabilities (SimSeg's parameters unless given, e.g. 'iterations=5')")
  String crf;

  /** The overrides given, keyed by protocol field. */
  Map<String, String> map() {
    Map<String, String> o = new LinkedHashMap<>();
    put(o, "shortSide", shortSide);
    put(o, "crop", crop);
    put(o, "stride", stride);
    if (whole) {
      o.put("mode", "whole");
    }
    put(o, "logitScale", logitScale);
    put(o, "probThreshold", probThd);
    put(o, "areaThreshold", areaThd);
    put(o, "bgThreshold", bgThreshold);
    put(o, "prompts", prompts);
    put(o, "classNames", classNames);
    if (pamr != null) {
      o.put("pamr", pamrSetting(pamr));
    }
    if (crf != null) {
      o.put("crf", crf.equalsIgnoreCase("off") ? "off" : crf);
    }
    return o;
  }

  /** {@code ITERS:DIL,DIL} to the PAMR parameter string. */
  static String pamrSetting(String text) {
    if (text.equalsIgnoreCase("off")) {
      return "off";
    }
    String[] parts = text.split(":");
    if (parts.length != 2 || !parts[0].strip().matches("\\d+") || !parts[1].strip().matches("\\d+(,\\d+)*")) {
      throw new InvalidInputException("--pamr takes ITERS:DIL,DIL (e.g. 10:8,16), got '" + text + "'");
    }
    return "iterations=" + parts[0].strip() + ";dilations=" + parts[1].strip();
  }

  private static void put(Map<String, String> o, String key, Object value) {
    if (value != null) {
      o.put(key, value.toString());
    }
  }
}
