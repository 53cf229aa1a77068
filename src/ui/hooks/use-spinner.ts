import { useEffect, useState } from 'react';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner frame that advances on a timer while `active` (the timer is the external effect). */
export function useSpinner(active: boolean, intervalMs = 100): string {
  const [i, setI] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setI((n) => (n + 1) % FRAMES.length), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return FRAMES[i];
}
