package org.ovss.runner.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ovss.api.InvalidInputException;

/**
 * What {@code ovss run PLAN.json} evaluates: methods (each with its weights) on datasets under protocols, as the
 * columns of a board or named explicitly. Every key is documented in README ("Running a plan"); unknown keys are
 * refused so that a misspelt one does not silently change nothing.
 *
 * @param board a board name or board JSON file whose columns give the datasets and protocols
 * @param methods the rows: method id, weights, label, tokenizer, method options, protocol overrides
 * @param datasets explicit datasets (with {@code protocol}), or with a board the data root of each of its datasets
 * @param protocol the protocol of the explicit datasets (name or JSON file); absent: each method's default
 * @param overrides protocol values changed for every cell (the keys of a protocol file: crop, stride, shortSide ...)
 * @param out where the cells, the result store and the board go (default: beside the plan, {@code NAME-out})
 * @param limit evaluate only the first N images of every split
 * @param formats the board formats written into {@code out} besides Markdown
 * @param engine {@code pytorch} or {@code onnxruntime} for every row (absent: as {@code ovss eval}, ONNX Runtime where
 *     the method supports it); {@code precision}, {@code device} and {@code ep} likewise, as the options of that name
 */
public record Plan(String board, List<MethodEntry> methods, List<DatasetEntry> datasets, String protocol,
    Map<String, String> overrides, String out, Integer limit, Boolean savePredictions, Integer windowBatch,
    List<String> formats, Integer shardImages, String engine, String precision, String device, String ep) {

  /** One row: a method with one weights file; its engine keys win over the plan's. */
  public record MethodEntry(String method, String weights, String label, String tokenizer, Map<String, String> options,
      Map<String, String> overrides, String engine, String precision, String device, String ep) {}

  /** A dataset (name or spec JSON file) and its root; {@code limit} overrides the plan's for this dataset. */
  public record DatasetEntry(String dataset, String dataRoot, Integer limit) {}

  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  /** Reads and checks a plan file; every problem is one line naming the file. */
  public static Plan read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("plan " + file + " does not exist");
    }
    Plan plan;
    try {
      plan = JSON.readValue(file.toFile(), Plan.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidInputException("plan " + file + ": unknown key '" + e.getPropertyName() + "' (known: "
          + e.getKnownPropertyIds() + ")", e);
    } catch (IOException e) {
      String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new InvalidInputException("plan " + file + " is not a valid plan: " + why.lines().findFirst().orElse(why), e);
    }
    if (plan == null) {
      throw new InvalidInputException("plan " + file + " is empty");
    }
    if (plan.methods() == null || plan.methods().isEmpty()) {
      throw new InvalidInputException("plan " + file + " names no methods (\"methods\": [{\"method\": ..., \"weights\": ...}])");
    }
    for (MethodEntry m : plan.methods()) {
      if (m == null || m.method() == null || m.weights() == null) {
        throw new InvalidInputException("plan " + file + ": every entry of \"methods\" needs \"method\" and \"weights\"");
      }
    }
    if (plan.datasets() == null || plan.datasets().isEmpty()) {
      throw new InvalidInputException("plan " + file + " names no datasets (\"datasets\": [{\"dataset\": ..., \"dataRoot\":"
          + " ...}]; with a board they give the data root of its datasets)");
    }
    for (DatasetEntry d : plan.datasets()) {
      if (d == null || d.dataset() == null || d.dataRoot() == null) {
        throw new InvalidInputException("plan " + file + ": every entry of \"datasets\" needs \"dataset\" and \"dataRoot\"");
      }
    }
    if (plan.board() != null && plan.protocol() != null) {
      throw new InvalidInputException("plan " + file + " sets both \"board\" (whose columns name the protocols) and"
          + " \"protocol\": keep one");
    }
    return plan;
  }
}
