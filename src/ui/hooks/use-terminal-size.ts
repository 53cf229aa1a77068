import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The terminal's size, following SIGWINCH resizes (the external effect: stdout's 'resize' event). */
export function useTerminalSize(override?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout?.columns || 80, rows: stdout?.rows || 24 });
  const [size, setSize] = useState<TerminalSize>(read);
  useEffect(() => {
    if (override || !stdout) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, override]);
  return override ?? size;
}
