# الصفحات العامة.
home-empty = لا توجد منظمات أو تحالفات هنا بعد.
home-alliances = التحالفات
home-organizations = المنظمات
home-latest-posts = أحدث المنشورات
calls-heading = دعوات إلى التحرّك
statements-heading = البيانات المشتركة
kind-alliance = تحالف
kind-organization = منظمة
followers-count = { $count ->
    [zero] لا متابعين
    [one] متابع واحد
    [two] متابعان
    [few] { $count } متابعين
    [many] { $count } متابعًا
   *[other] { $count } متابع
}
feeds-label = المتابعة عبر الموجز:
follow-button = متابعة
follow-hint = أو ابحث عن { $handle } في تطبيقك على الفديفرس
member-of-heading = عضو في
members-heading = الأعضاء ({ $count })
members-private = يُبقي هذا التحالف قائمة أعضائه خاصة.
members-none = لا أعضاء بعد.
role-member = عضو
role-observer = مراقب
role-secretariat = الأمانة
network-heading = خريطة الشبكة
network-explained = { $count ->
    [one] من هو عضو في من، عبر الخوادم: منظمة أو تحالف آخر واحد.
    [two] من هو عضو في من، عبر الخوادم: منظمتان أو تحالفان آخران.
    [few] من هو عضو في من، عبر الخوادم: { $count } منظمات وتحالفات أخرى.
   *[other] من هو عضو في من، عبر الخوادم: { $count } من المنظمات والتحالفات الأخرى.
}
network-truncated = لا يظهر إلا جزء من الشبكة
posts-heading = المنشورات
posts-heading-alliance = المنشورات، ومنشورات الأعضاء التي أعاد التحالف نشرها
posts-none = لم يُنشر شيء بعد.
pages-label = مزيد من المنشورات
newer-posts = الأحدث
older-posts = الأقدم
relayed-by = أعاد نشره { $alliance }
relayed-by-list = أعاد نشره
also-in = متوفر أيضًا بـ:
edited = معدّل
in-reply-to = ردًّا على
replies-heading = { $count ->
    [one] ردّ واحد
    [two] ردّان
    [few] { $count } ردود
    [many] { $count } ردًّا
   *[other] { $count } ردّ
}
reply-hint = للردّ، افتح هذا المنشور من تطبيقك على الفديفرس (ابحث عن عنوانه).
tag-empty = لا توجد منشورات بهذا الوسم هنا بعد.
statement-kicker = بيان مشترك
statement-initiated-by = بمبادرة من
statement-status-open = مفتوح للتوقيع
statement-status-closed = مغلق
statement-status-draft = مسودة
statement-until = حتى { $date }
statement-later-translation = ترجمة أُضيفت بعد فتح البيان؛ التوقيعات تخصّ النص الأصلي.
statement-version = النسخة { $number }
statement-earlier-text = نص سابق
endorsements-count = { $count ->
    [0] لا توقيعات بعد
    [one] توقيع واحد
    [two] توقيعان
    [few] { $count } توقيعات
    [many] { $count } توقيعًا
   *[other] { $count } توقيع
}
endorsements-anonymous = { $count ->
    [one] واحد منها دون ذكر الاسم بطلب من صاحبه
    [two] اثنان منها دون ذكر الاسم بطلب من أصحابها
   *[other] { $count } منها دون ذكر الأسماء بطلب من أصحابها
}
endorsements-withdrawn = { $count ->
    [one] سُحب توقيع واحد
    [two] سُحب توقيعان
    [few] سُحبت { $count } توقيعات
   *[other] سُحب { $count } توقيع
}
endorser-alliance-members = { $count ->
    [one] تحالف من عضو واحد
    [two] تحالف من عضوين
    [few] تحالف من { $count } أعضاء
   *[other] تحالف من { $count } عضو
}
verified = موثَّق
verified-title = موقَّع من صاحبه؛ وقد تمّ التحقق من التوقيع
statement-supporters = { $count ->
    [one] داعم واحد على الفديفرس (إعجاب؛ وليس توقيعًا موثَّقًا).
    [two] داعمان على الفديفرس (إعجابات؛ وليست توقيعات موثَّقة).
   *[other] { $count } من الداعمين على الفديفرس (إعجابات؛ وليست توقيعات موثَّقة).
}
verify-heading = يمكن لأيّ شخص التحقق من هذه التوقيعات
verify-explained = كل توقيع موقَّع من المنظمة أو التحالف الذي منحه، على خادمه الخاص، لهذا النص بعينه. أيّ تغيير في النص يصبح نسخة جديدة، وتبقى التوقيعات مرتبطة بالنسخة التي وُقّعت. لذلك لا يستطيع أحد، ولا حتى هذا الخادم، أن يضيف اسمًا أو يغيّر النص تحت توقيع أو يخفي سحب توقيع دون أن يظهر ذلك.
endorse-how = توقّع المنظمات والتحالفات من حسابها الخاص على «بوينتس»: تفتح عنوان هذه الصفحة هناك وتختار التوقيع، باسمها أو بعدّها دون ذكر الاسم.
verify-details = كيف تتحقق بنفسك
verify-command = بعد تثبيت «بوينتس»، يجلب هذا الأمر كل توقيع من الخوادم التي أصدرته ويتحقق منه مقابل هذا النص:
call-kicker = دعوة إلى التحرّك من { $organizer }
call-cancelled = أُلغيت
call-cancelled-notice = أُلغيت هذه الدعوة إلى التحرّك.
call-tentative = لم يتأكد الموعد بعد.
call-when = متى
call-where = أين
call-online = عبر الإنترنت
call-what = ما المطلوب
call-map = الخريطة
call-your-time = بتوقيتك:
call-moved = تغيّر الموعد؛ كان { $was }
call-pick-zone = اعرض الوقت بمنطقتك الزمنية
call-show-zone = اعرض
call-co-organized = بالتنظيم المشترك مع
call-add-calendar = أضف إلى التقويم
call-all-calendar = كل دعوات { $organizer }
call-pledged = { $count ->
    [0] لا تعهّدات بعد
    [one] تعهّد واحد
    [two] تعهّدان
    [few] { $count } تعهّدات
    [many] { $count } تعهّدًا
   *[other] { $count } تعهّد
}
call-pledged-of = تمّ التعهّد بـ { $count } من أصل { $capacity } مكانًا
call-pledge-how = تتعهّد المنظمات والتحالفات من حسابها الخاص: على «بوينتس» أو «موبيليزون»، تفتح عنوان هذه الصفحة هناك وتختار المشاركة.
call-external = أو شارك من هنا:
follow-title = متابعة { $name }
follow-explained = أدخل معرّفك على الفديفرس (ماستودون أو أيّ خادم متوافق). سننقلك إلى خادمك الخاص حيث تؤكّد المتابعة.
follow-your-handle = معرّفك
follow-placeholder = you@your.server
follow-go = المتابعة على خادمي
follow-other-ways = طرق أخرى
follow-search = في تطبيقك، ابحث عن { $handle } وتابِعه.
follow-feeds = دون حساب، عبر الموجز:
follow-error-invalid = هذا ليس معرّفًا. اكتبه بالشكل name@server.example.
follow-error-not-found = لا يعرف خادمك هذا المعرّف. تحقّق منه وحاول مرة أخرى.
follow-error-no-template = لا يقدّم خادمك رابطًا للمتابعة. ابحث بدلًا من ذلك عن المعرّف أدناه في تطبيقك.
follow-error-unreachable = تعذّر الوصول إلى خادمك. حاول لاحقًا، أو ابحث عن المعرّف أدناه في تطبيقك.
interact-title = المتابعة أو الردّ من هذا الخادم
interact-explained = أرسلك خادمك إلى هنا لمتابعة شيء ما أو الردّ عليه بصفتك حسابًا على { $domain }.
interact-target = ما تريد متابعته أو الردّ عليه:
interact-staff = لا يستطيع ذلك إلا فريق عمل المنظمات والتحالفات على هذا الخادم، بعد تسجيل الدخول للتصرّف باسمها. إن كنت منهم، سجّل الدخول والصق هذا العنوان هناك.
moved-notice = انتقلت هذه المنظمة إلى
moved-notice-alliance = انتقل هذا التحالف إلى
