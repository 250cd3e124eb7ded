document.getElementById("print-button").addEventListener("click", function () { window.print(); });
