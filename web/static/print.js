// The survey page's Print button (no inline scripts: the pages' Content-Security-Policy forbids them).
document.getElementById("print")?.addEventListener("click", () => window.print());
