/* edusite web editor (quan-tri/): the project's words, the photo-description widget, then start.
 *
 * Loaded after decap-cms.js (cms-init.js asked it not to start by itself). No inline script:
 * the page's Content-Security-Policy allows only files of this origin.
 */
(function () {
  "use strict";
  var CMS = window.CMS;
  var h = window.h;
  var createClass = window.createClass;

  /* The words school staff use (docs/huong-dan-bien-tap.md), over Decap's Vietnamese. */
  var OUR_WORDS = {
    app: {
      header: { content: "Nội dung", workflow: "Duyệt bài", media: "Tệp", quickAdd: "Viết mới" },
    },
    editor: {
      editorToolbar: {
        publishing: "Đang xuất bản…",
        publish: "Xuất bản",
        published: "Đã xuất bản",
        publishNow: "Xuất bản ngay",
        publishAndCreateNew: "Xuất bản và viết bài mới",
        publishAndDuplicate: "Xuất bản và sao chép",
        unpublish: "Gỡ xuống",
        save: "Lưu",
        saving: "Đang lưu…",
        draft: "Bản nháp",
        inReview: "Gửi duyệt",
        ready: "Đã duyệt",
        status: "Trạng thái: %{status}",
        deleteEntry: "Xoá bài",
        deleteUnpublishedEntry: "Xoá bản nháp",
        deleteUnpublishedChanges: "Bỏ các thay đổi chưa xuất bản",
        unsavedChanges: "Chưa lưu",
        changesSaved: "Đã lưu",
      },
    },
    workflow: {
      workflow: { workflowHeading: "Duyệt bài", newPost: "Viết bài mới", dateFormat: "DD/MM/YYYY" },
      workflowList: {
        draftHeader: "Bản nháp",
        inReviewHeader: "Chờ duyệt",
        readyHeader: "Đã duyệt, chờ xuất bản",
      },
      workflowCard: { publishChanges: "Xuất bản thay đổi", publishNewEntry: "Xuất bản bài mới" },
    },
  };

  function merge(base, over) {
    var out = {};
    var key;
    for (key in base) {
      if (Object.prototype.hasOwnProperty.call(base, key)) out[key] = base[key];
    }
    for (key in over) {
      if (!Object.prototype.hasOwnProperty.call(over, key)) continue;
      var a = out[key];
      var b = over[key];
      out[key] = a && typeof a === "object" && b && typeof b === "object" ? merge(a, b) : b;
    }
    return out;
  }

  if (CMS.getLocale && CMS.getLocale("vi")) {
    CMS.registerLocale("vi", merge(CMS.getLocale("vi"), OUR_WORDS));
  }

  /* "Mô tả ảnh": required as soon as the post has a photo (the build warns otherwise, and a
     reader using a screen reader hears nothing). */
  var PhotoDescription = createClass({
    isValid: function () {
      var field = this.props.field;
      var imageField = (field && field.get("image_field")) || "image";
      /* getEntry(): the entry as edited now (props.entry is the one the editor opened). */
      var entry = this.props.getEntry ? this.props.getEntry() : this.props.entry;
      var image = entry && entry.getIn(["data", imageField]);
      var text = (this.props.value || "").trim();
      if (image && !text) {
        return { error: { message: "Ảnh cần mô tả ngắn cho người khiếm thị. / A photo needs a description." } };
      }
      if (text.length > 500) {
        return { error: { message: "Tối đa 500 ký tự. / At most 500 characters." } };
      }
      return true;
    },
    handleChange: function (event) {
      this.props.onChange(event.target.value);
    },
    render: function () {
      return h("input", {
        type: "text",
        id: this.props.forID,
        className: this.props.classNameWrapper,
        value: this.props.value || "",
        onChange: this.handleChange,
        onFocus: this.props.setActiveStyle,
        onBlur: this.props.setInactiveStyle,
      });
    },
  });
  CMS.registerWidget("mo-ta-anh", PhotoDescription);

  /* The rich-text editor (Slate) has no accessible name: give it its field's label. */
  function nameEditors() {
    var editors = document.querySelectorAll("[data-slate-editor]:not([aria-label])");
    Array.prototype.forEach.call(editors, function (editor) {
      var node = editor.parentElement;
      while (node && !node.querySelector("label")) node = node.parentElement;
      var label = node && node.querySelector("label");
      if (label) editor.setAttribute("aria-label", label.textContent.trim());
    });
  }
  new MutationObserver(nameEditors).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });

  /* A "Công khai" page not written yet opens empty: Decap applies no defaults to a missing file
     of a files collection. On save, every empty field that has a default gets it (the section
     and school year the build checks, the default title). */
  var fileDefaults = {};
  function collectDefaults(config) {
    (config.collections || []).forEach(function (collection) {
      (collection.files || []).forEach(function (file) {
        var values = {};
        (file.fields || []).forEach(function (field) {
          if (Object.prototype.hasOwnProperty.call(field, "default")) values[field.name] = field.default;
        });
        fileDefaults[collection.name + "/" + file.name] = values;
      });
    });
  }
  CMS.registerEventListener({
    name: "preSave",
    handler: function (args) {
      var entry = args.entry;
      var data = entry.get("data");
      var values = fileDefaults[entry.get("collection") + "/" + entry.get("slug")];
      if (!values) return data;
      Object.keys(values).forEach(function (name) {
        var current = data.get(name);
        if (current === undefined || current === null || current === "") {
          data = data.set(name, values[name]);
        }
      });
      return data;
    },
  });

  /* The unit's configuration, generated by edusite beside this page (config.json: read here,
     whatever content type the host gives it). English on demand: quan-tri/?lang=en */
  var lang = new URLSearchParams(window.location.search).get("lang") === "en" ? "en" : "vi";
  document.documentElement.lang = lang;
  fetch("config.json", { credentials: "same-origin", cache: "no-cache" })
    .then(function (response) {
      if (!response.ok) throw new Error("config.json: HTTP " + response.status);
      return response.json();
    })
    .then(function (config) {
      collectDefaults(config);
      config.load_config_file = false;
      config.locale = lang;
      CMS.init({ config: config });
    })
    .catch(function (error) {
      var p = document.createElement("p");
      p.setAttribute("role", "alert");
      p.textContent =
        "Không tải được cấu hình trình biên tập / cannot load the editor's configuration: " +
        error.message;
      document.body.appendChild(p);
    });
})();
