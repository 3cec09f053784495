/**
 * JMH benchmarks of the hot paths: window encoding batched and one by one, image resize, slide aggregation, PAMR,
 * DenseCRF, IoU accumulation and text encoding of a large vocabulary. Run with {@code java -jar
 * benchmarks/target/benchmarks.jar} (README, Performance); {@code ovss bench} measures the whole pipeline.
 */
package org.ovss.benchmarks;
