package org.ovss.api;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * Text embeddings of every query of a vocabulary.
 *
 * @param embeddings L2-normalised query embeddings, shape [Q, D]
 * @param queryClass for each query, the index of its class in the vocabulary (length Q)
 * @param classCount number of classes C; every class has at least one query
 */
public record QueryEmbeddings(NDArray embeddings, int[] queryClass, int classCount) {

  public QueryEmbeddings {
    queryClass = queryClass.clone();
    long q = embeddings.getShape().get(0);
    if (embeddings.getShape().dimension() != 2 || q != queryClass.length) {
      throw new IllegalArgumentException(
          "embeddings " + embeddings.getShape() + " do not match " + queryClass.length + " queries");
    }
    boolean[] seen = new boolean[classCount];
    for (int c : queryClass) {
      if (c < 0 || c >= classCount) {
        throw new IllegalArgumentException("query class " + c + " outside [0, " + classCount + ")");
      }
      seen[c] = true;
    }
    for (int c = 0; c < classCount; c++) {
      if (!seen[c]) {
        throw new IllegalArgumentException("class " + c + " has no query");
      }
    }
  }

  public int queryCount() {
    return queryClass.length;
  }

  @Override
  public int[] queryClass() {
    return queryClass.clone();
  }

  @Override
  public String toString() {
    return "QueryEmbeddings" + embeddings.getShape() + " classes=" + classCount + " map=" + Arrays.toString(queryClass);
  }
}
