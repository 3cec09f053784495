/** JMH benchmarks of the hot paths (performance issue). */
package org.ovss.benchmarks;
