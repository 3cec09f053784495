/** Dataset specifications, readers of the standard layouts and the synthetic benchmark (evaluation and benchmark issues). */
package org.ovss.datasets;
