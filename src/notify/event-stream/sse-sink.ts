// What a stream client writes to: one open server-sent-events response.

export type SseFrame =
  /** A logged event: its id becomes the client's Last-Event-ID. */
  | { readonly kind: 'event'; readonly id: number; readonly event: string; readonly data: string }
  /** A notice about the stream itself (gap, dropped, shutdown): no id, so a reconnect resumes after the last real event. */
  | { readonly kind: 'notice'; readonly event: string; readonly data: string }
  | { readonly kind: 'comment'; readonly text: string };

export interface SseSink {
  /** Resolves once the frame is handed to the connection; waits while the client is not reading. */
  send(frame: SseFrame): Promise<void>;
  /** Ends the response after what was sent. */
  close(): Promise<void>;
  /** Cuts the connection when the client does not take even the final frame. */
  destroy(): void;
}
