/** Report renderers: Markdown, HTML, CSV, LaTeX, JSON (leaderboard issue). */
package org.ovss.reports;
