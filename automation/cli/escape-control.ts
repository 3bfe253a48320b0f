/**
 * Text from the user (a name, a path, a flag's value) shown in an error line with its control
 * characters escaped, so a newline cannot cut the line and an escape sequence cannot colour or
 * rewrite the terminal: `\n`, `\r`, `\t` as themselves, any other C0/C1 control or DEL as `\xNN`.
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}
