// One log of what happens, in order: the SDK's events from this page, and the backend's and
// Klarna's from the server (tokens arrive redacted).
const list = document.getElementById('log');
const seen = new Set();

export function note(source, text, at = new Date()) {
  const item = document.createElement('li');
  item.dataset.at = String(at.getTime());
  const label = Object.assign(document.createElement('span'), { className: 'source', textContent: source });
  item.append(label, ` ${at.toLocaleTimeString()}  ${text}`);
  const later = [...list.children].find((child) => Number(child.dataset.at) > at.getTime());
  list.insertBefore(item, later ?? null);
}

/**
 * Asks for the order every second: its new log lines go to the log, the order to `onOrder`. An order
 * the shop does not know (404) stops the asking, and `onMissing` is called; other failures are asked again.
 */
export function followOrderLog(orderId, onOrder, onMissing) {
  const poll = async () => {
    const response = await fetch(`/api/orders/${encodeURIComponent(orderId)}`).catch(() => undefined);
    if (response?.status === 404) return onMissing?.();
    if (response?.ok) {
      const order = await response.json();
      for (const event of order.events) {
        const key = `${event.at}|${event.text}`;
        if (!seen.has(key)) {
          seen.add(key);
          note(event.source, event.text, new Date(event.at));
        }
      }
      onOrder?.(order);
    }
    setTimeout(poll, 1000);
  };
  poll();
}
