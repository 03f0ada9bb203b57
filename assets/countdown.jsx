// A live countdown to a unix time, ticking in the browser so that no server event is
// needed every second. Renders plain text; the page styles it.
import { useEffect, useState } from "react";

const pad = (value) => String(value).padStart(2, "0");

function spell(seconds) {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(rest)}s`;
  return `${rest}s`;
}

export function Countdown({ target, prefix = "", doneText = "now", id, className }) {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.floor(Number(target) || 0) - now);
  const text = left > 0 ? `${prefix}${spell(left)}` : doneText;
  const when = target ? new Date(Number(target) * 1000).toLocaleString() : "";
  return (
    <span id={id} className={className} title={when} suppressHydrationWarning>
      {text}
    </span>
  );
}
