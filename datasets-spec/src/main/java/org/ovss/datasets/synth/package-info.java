/**
 * The synthetic benchmark: deterministic image-caption pairs with label maps (shapes in colours on textured stuff
 * backgrounds), written in the PASCAL VOC layout so that every method trains on it and is evaluated on it with the
 * same machinery as on the real datasets. Entry points: {@link org.ovss.datasets.synth.SyntheticBenchmark} and
 * {@link org.ovss.datasets.synth.SynthConfig}.
 */
package org.ovss.datasets.synth;
