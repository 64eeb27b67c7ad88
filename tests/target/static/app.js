// Smart Dairy demo storefront: marks the page as loaded (no framework).
document.addEventListener("DOMContentLoaded", function () {
  document.body.setAttribute("data-loaded", "1");
});
