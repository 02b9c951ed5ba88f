/* edusite: Material 9.7.7's inline content script (partials/javascripts/content.html), as a file
   the Content-Security-Policy allows. Loaded only with extra.material_js: true. */
(function(){var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))}());
