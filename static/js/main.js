// Entry point: wires the page's modules together.
const status = document.getElementById("server-status");

async function checkServer() {
  const response = await fetch("/healthz");
  const body = await response.json();
  status.textContent = `Server ready (version ${body.version}).`;
  status.dataset.state = "ready";
}

checkServer().catch(() => {
  status.textContent = "The server did not answer.";
  status.dataset.state = "error";
});
