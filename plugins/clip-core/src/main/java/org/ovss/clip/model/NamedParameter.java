package org.ovss.clip.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * A parameter with the shape the architecture gives it. DJL's {@link Parameter} cannot carry a preset
 * shape and later take an array ({@code setArray} refuses), so the shape travels beside it.
 */
public record NamedParameter(Parameter parameter, Shape shape) {}
