/* edusite: Decap CMS starts when admin.js has added our words and widgets (quan-tri/). */
window.CMS_MANUAL_INIT = true;
