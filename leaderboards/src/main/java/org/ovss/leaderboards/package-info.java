/** Leaderboard definitions as data, published anchors and the result store (leaderboard issue). */
package org.ovss.leaderboards;
