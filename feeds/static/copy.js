// feeds: the "Copy" buttons of a topic page's subscribe box. The page reads without it.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var input = document.getElementById(button.dataset.copy);
  var status = document.querySelector(".copied");
  button.hidden = false;
  button.addEventListener("click", function () {
    function done() { if (status) { status.textContent = "Copied " + input.value; } }
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (document.execCommand("copy")) { done(); }
      });
    } else if (document.execCommand("copy")) {
      done();
    }
  });
});
