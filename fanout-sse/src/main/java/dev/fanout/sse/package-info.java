/**
 * Server-Sent Events on Helidon 4 SE: {@link dev.fanout.sse.SseHandler} streams a hub to every
 * connection, with admission control, resume, heartbeats and stall eviction.
 */
package dev.fanout.sse;
