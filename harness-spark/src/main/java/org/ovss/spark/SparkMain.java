package org.ovss.spark;

import java.util.ArrayList;
import java.util.List;
import org.ovss.runner.cli.Main;

/**
 * The main class of the application jar for {@code spark-submit}: the {@code ovss} command line, with
 * {@code --spark} set to the master spark-submit was given (unless the arguments name one).
 */
public final class SparkMain {
  private SparkMain() {}

  public static void main(String[] args) {
    List<String> all = new ArrayList<>(List.of(args));
    String master = System.getProperty("spark.master");
    if (master != null && !all.contains("--spark") && !all.isEmpty()
        && (all.get(0).equals("run") || all.get(0).equals("eval"))) {
      all.add("--spark");
      all.add(master);
    }
    System.exit(Main.execute(all.toArray(String[]::new)));
  }
}
