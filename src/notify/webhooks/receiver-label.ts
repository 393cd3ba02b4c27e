// How a receiver is named in logs and metrics.

/**
 * Only the origin: webhook URLs often carry their credential in the path (Slack, Discord) or the query,
 * and a label must neither leak it nor grow a time series per URL.
 */
export function receiverLabel(url: string): string {
  return new URL(url).origin;
}
