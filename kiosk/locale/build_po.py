# ruff: noqa: E501  (a translation table reads best one string per line)
"""Regenerate the .po catalogs from the source strings and the translations below.

Run ``python kiosk/locale/build_po.py`` after adding a ``_("…")`` string (needs
xgettext); it fails listing every string without a Chinese translation. Then
``python -m kiosk.i18n`` compiles the .mo files.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.i18n import LOCALE_DIR, compile_all, parse_po  # noqa: E402

# Strings used through _() on values (screen titles, rating levels): not seen by xgettext.
EXTRA = [
    "Choose a service",
    "Service guide",
    "Identity",
    "Materials",
    "Check",
    "Promise",
    "Receipt",
    "Rating",
    "Progress",
    "Staff",
    "Very dissatisfied",
    "Dissatisfied",
    "Fair",
    "Satisfied",
    "Very satisfied",
    "Letters A-Z",
    "Digits 0-9",
    "Feedback",
    "The list of materials is hard to understand",
    "The service guide is not clear",
    "Please add a service",
    "Something else",
]

ZH = {
    "Choose a service": "选择办理事项",
    "Service guide": "办事指南",
    "Identity": "身份核验",
    "Materials": "提交材料",
    "Check": "材料检查",
    "Promise": "承诺与联系方式",
    "Receipt": "材料接收回执",
    "Rating": "服务评价",
    "Progress": "进度查询",
    "Staff": "工作人员",
    "Very dissatisfied": "非常不满意",
    "Dissatisfied": "不满意",
    "Fair": "基本满意",
    "Satisfied": "满意",
    "Very satisfied": "非常满意",
    "Staff assist mode": "工作人员协助模式",
    "Enter the staff PIN.": "请输入工作人员密码。",
    "Too many wrong PINs. Locked for {s} seconds.": "密码错误次数过多，已锁定 {s} 秒。",
    "Wrong PIN. {n} attempts left.": "密码错误，还可尝试 {n} 次。",
    "online": "在线",
    "offline": "离线",
    "Queue: {w} waiting, {s} sending, {f} failed ({o})": "队列：等待发送 {w} 份，正在发送 {s} 份，发送失败 {f} 份（{o}）",
    "Sync now": "立即同步",
    "Recent receipts:": "最近的回执：",
    "Reprint": "补打回执",
    "Hand over a result:": "交付办理结果：",
    "Receipt number": "回执编号",
    "Recipient name": "领取人姓名",
    "Recipient ID number": "领取人身份证号码",
    "Read the ID card": "读取身份证",
    "No ID card on the reader.": "读卡器上没有身份证。",
    "ID card read.": "已读取身份证。",
    "Hand-over refused: ": "交付未被平台接受：",
    "How was the handling of your application?": "您对本次办理满意吗？",
    "Please rate it, or skip. Tick any reasons that apply.": "请您评价，也可跳过；可勾选评价原因。",
    "Thank you. Your rating is recorded.": "谢谢您的评价，已记录。",
    "Rating skipped.": "已跳过评价。",
    "Your name (staff)": "经办工作人员姓名",
    "Record hand-over": "记录交付",
    "Kiosk health:": "终端状态：",
    "Sync started.": "已开始同步。",
    "No printed receipt is kept for {n}.": "没有找到 {n} 的回执文件。",
    "Reprinted.": "已补打。",
    "Printing failed: ": "打印失败：",
    "Hand-over of {n} recorded at {at}.": "已记录 {n} 的交付（{at}）。",
    "Unlock": "进入",
    "Log out": "退出",
    "Continue the visit": "继续为群众办理",
    "Back": "返回",
    "Home": "首页",
    "Your materials are complete.": "您的材料已经齐全。",
    "Some materials are missing. Everything is listed on the screen.": "材料还不齐全，需要补正的内容已全部列在屏幕上。",
    "Your materials are complete": "材料齐全",
    "The kiosk can now receive your materials and pass them to the department that handles your matter. "
    "Receiving them is not yet acceptance: the department decides.": "本终端可以接收您的申请材料，并转报到事项办理单位。接收材料不等于受理，是否受理由办理单位决定。",
    "Please complete your materials": "请补正申请材料",
    "All of the following must be corrected (told once, in full):": "需要补正以下全部内容（一次性告知）：",
    "Next: promise": "下一步：确认承诺",
    "Print this list": "打印告知单",
    "Stop for now": "暂不办理",
    "Add materials": "补充材料",
    "The list is printing.": "告知单正在打印。",
    "Please read the guide. The materials you need are listed below.": "请阅读办事指南，需要的材料列在下方。",
    "Materials to bring:": "需要提交的材料：",
    "Only if: ": "仅在以下情况需要：",
    "Print guide": "打印办事指南",
    "Start applying": "开始办理",
    "The guide is printing.": "办事指南正在打印。",
    "Welcome. Please choose the service you want to apply for.": "欢迎使用市域通办自助终端，请选择要办理的事项。",
    "City-wide services: apply here for any matter in the city": "市域通办：全市事项，就近可办",
    "Frequent": "常办事项",
    "By area": "按领域查找",
    "Type the name or pinyin initials, e.g. ylbx": "输入事项名称或拼音首字母，如 ylbx",
    "Progress and pickup": "查询进度 / 领取结果",
    "Nothing found. Try other words, or ask the staff.": "没有找到，请换个词试试，或请工作人员帮助。",
    "Please put your ID card on the reader.": "请把身份证放在读卡区。",
    "Please put your ID card under the camera, or type your ID number.": "请把身份证放在拍摄区，或输入身份证号码。",
    "Who is applying?": "请核验申请人身份",
    "Read my ID card": "读取身份证",
    "Scan my ID card with the camera": "拍摄身份证识别",
    "Or type your name and ID number:": "或者输入姓名和身份证号码：",
    "Name": "姓名",
    "ID number: ": "身份证号码：",
    "Reading the card…": "正在读取身份证…",
    "The card could not be read. Please scan it with the camera or type the number.": "身份证读取失败，请拍摄身份证或输入号码。",
    "Checking the picture…": "正在检查照片…",
    "The camera is not available. Please type your ID number.": "摄像头不可用，请输入身份证号码。",
    "The picture could not be checked. Please try again.": "照片无法检查，请再试一次。",
    "The scanner stopped for a moment. Everything you gave is kept; please try again.": "扫描程序刚才中断了，您已拍好的材料都还在，请再试一次。",
    "Letters A-Z": "字母 A-Z",
    "Digits 0-9": "数字 0-9",
    "Please place the card flat.": "请把证件放平。",
    "Your home jurisdiction": "确认属地",
    "Applicant: ": "申请人：",
    "We think your home jurisdiction is:": "根据您的信息，您的属地是：",
    "It decides which department handles your matter. Tap Confirm if it is right.": "属地决定由哪个部门办理您的事项。如果正确，请点“确认”。",
    "Please choose your county and township.": "请选择您所在的县（市、区）和乡镇（街道）。",
    "Change": "更改",
    "Choose your county": "请选择县（市、区）",
    "Choose your township": "请选择乡镇（街道）",
    "Next": "下一步",
    "Confirm": "确认",
    "Put each material under the camera and press Capture.": "请把材料逐份放在拍摄区，然后按“拍照”。",
    "{n} page(s)": "{n} 页",
    "still needed": "尚未提交",
    "Your materials:": "您的材料：",
    "One question first": "请先回答一个问题",
    "If yes, you will also need: ": "如果是，还需要提交：",
    "Yes": "是",
    "No": "否",
    "No materials are needed.": "不需要提交材料。",
    "Retake": "重拍",
    "Capture": "拍照",
    "Page {n}": "第 {n} 页",
    "Delete": "删除",
    "The camera sees nothing. Please place the material, or ask the staff.": "拍摄区没有材料，请放好材料，或请工作人员帮助。",
    "Please retake the picture.": "请重新拍摄。",
    "Page {n} received.": "第 {n} 页已收到。",
    "Check my materials": "检查材料",
    "Please read the promise, confirm it, and enter your phone number.": "请阅读承诺内容并确认，然后输入手机号码。",
    "Your promise": "申请人承诺",
    "How can we reach you?": "请留下联系方式",
    "A person applies": "个人办理",
    "An enterprise applies": "企业办理",
    "Enterprise name": "企业名称",
    "Unified social credit code (18 characters)": "统一社会信用代码（18 位）",
    "Legal representative": "法定代表人",
    "legal representative ": "法定代表人 ",
    "Scan the business licence with the camera": "拍摄营业执照识别",
    "Lay the licence flat under the camera; the credit code is read for you.": "把营业执照平放在拍摄区，系统会自动识别统一社会信用代码。",
    "The camera is not available. Please type the credit code.": "摄像头不可用，请输入统一社会信用代码。",
    "The unified social credit code is not valid. Please check every character.": "统一社会信用代码不正确，请逐位核对。",
    "Please enter the enterprise's name.": "请输入企业名称。",
    "Please enter the legal representative's name.": "请输入法定代表人姓名。",
    "No credit code could be read. Place the licence flat, or type the code.": "没有识别到统一社会信用代码，请把营业执照放平，或直接输入。",
    "I have read and confirm this promise": "我已阅读并承诺",
    "Phone: ": "手机号码：",
    "How do you want to receive the result?": "办理结果怎么领取？",
    "Pick up at this station": "到本站领取",
    "Mail it to me": "邮寄给我",
    "Print it myself at any service station": "到任一服务站自助终端打印电子结果",
    "When it is ready, print it at any service station kiosk with your receipt and ID card.": "办好后，请带上回执和身份证，到任一服务站的自助终端打印。",
    "Please choose how to receive the result.": "请选择办理结果的领取方式。",
    "Mailing address": "邮寄地址",
    "Submit materials": "提交材料",
    "Please confirm the promise first.": "请先点“我已阅读并承诺”。",
    "Saving and printing your receipt…": "正在保存并打印回执…",
    "Some details are not valid: ": "以下信息不正确：",
    "The materials could not be saved. Please ask the staff.": "材料保存失败，请联系工作人员。",
    "How was this service? Please rate it, or skip.": "请为本次服务评价，也可以跳过。",
    "How was this service?": "您对本次服务满意吗？",
    "Your rating helps us improve. It is optional.": "您的评价帮助我们改进服务，可以不评。",
    "Skip": "跳过",
    "Your materials have been received. Please take your receipt.": "您的材料已接收，请取走回执。",
    "Materials received": "申请材料已接收",
    "Receipt number:": "回执编号：",
    "The department decides whether to accept it. Keep the receipt to check progress.": "是否受理由办理单位决定。请保管好回执，凭回执查询办理进度。",
    "Your receipt has been printed.": "回执（申请材料接收通知书）已打印。",
    "Printing failed: please ask the staff.": "打印失败，请联系工作人员。",
    "Print again": "再打印一份",
    "Hold your receipt's QR code under the camera, or type the number.": "请把回执上的二维码放在拍摄区，或输入回执编号。",
    "Check progress or pick up a result": "查询办理进度 / 领取结果",
    "Scan the QR code on my receipt": "扫描回执二维码",
    "Staff hand-over": "工作人员交付",
    "Look up": "查询",
    "The camera sees nothing.": "拍摄区没有东西。",
    "No QR code found. Please hold the receipt flat, or type the number.": "没有识别到二维码，请把回执放平，或输入编号。",
    "At this kiosk: ": "本终端记录：",
    "Handed over on {at} by {staff}.": "已于 {at} 由 {staff} 交付。",
    "Asking the server…": "正在查询最新进度…",
    "Not found at this kiosk. The kiosk is offline; try again later.": "本终端没有该编号的记录，目前离线，请稍后再查。",
    "Latest: ": "最新进度：",
    "No application with this number was found.": "没有找到该编号的申请。",
    "Online": "在线",
    "Offline": "离线",
    "{n} waiting to send": "待发送 {n} 份",
    "{n} failed": "失败 {n} 份",
    "No ID number could be read. Place the card flat, or type the number.": "没有识别出身份证号码，请把证件放平，或直接输入号码。",
    "The ID number is not valid. Please check every digit.": "身份证号码不正确，请逐位核对。",
    "Please enter the applicant's name.": "请输入申请人姓名。",
    "Please enter an 11-digit mobile number.": "请输入 11 位手机号码。",
    "Please enter the address to mail the result to.": "请填写邮寄地址。",
}


# Issue 11, 签收: the recipient's signature on the touch screen at a hand-over.
ZH |= {
    "Signature": "签名",
    "The recipient may sign in the box (optional).": "请领取人在框内签名（可不签）。",
    "Clear the signature": "清除签名",
}


# Issue 12 (适老化): home tiles, pinyin pad, pager, accessibility mode. The situation
# tiles' labels are msgids used through _() on values (kiosk/visit/situations.py).
SITUATION_ZH = {
    "Frequent matters": "常办事项",
    "Search by name": "按名称查找",
    "Pensions and jobs": "社保就业",
    "Medical insurance": "医保看病",
    "ID card and hukou": "户籍证件",
    "Older people": "老年人",
    "People with disabilities": "残疾人",
    "Running a business": "开店经营",
    "Housing": "住房",
    "Births and family": "生育家庭",
    "Hard times": "生活困难",
    "Other matters": "其他事项",
    "Pension, social security card": "养老保险、社保卡、失业登记",
    "Insurance, treatment elsewhere": "医保参保、异地就医、慢特病",
    "ID card, hukou, certificates": "身份证、户口迁移、无犯罪记录证明",
    "Old-age allowance, pension": "高龄津贴、养老金、退休提取公积金",
    "Disability allowances": "残疾人生活补贴、护理补贴",
    "Small shop, food licence": "个体工商户、食品经营许可",
    "Housing fund, property": "住房公积金、不动产登记",
    "Birth registration": "生育登记",
    "Subsistence allowance, aid": "低保、补贴",
    "Everything else": "其他事项",
}
EXTRA += list(SITUATION_ZH)
ZH |= SITUATION_ZH
ZH |= {
    "Large text · voice": "大字·朗读",
    "Pinyin": "拼音",
    "More ›": "更多 ›",
    "Type the pinyin, then tap a character": "先输入拼音，再点要的字",
    "Type the name": "输入姓名",
    "Type the ID number": "输入身份证号",
    "Credit code": "信用代码",
    "Representative": "法定代表人",
    "The result: ": "办理结果：",
    "How do you want to receive the result? Tap one:": "办理结果怎么领取？请点选一项：",
    "Type the phone number": "输入手机号码",
    "Type the address": "输入邮寄地址",
    "Welcome. Tap the picture that fits your situation, or search for the matter by name.": "欢迎。请点选和您情况相符的图标，或者按名称查找事项。",
    "What is your matter about? Tap a picture:": "您要办哪方面的事？请点下面的图标：",
    "Name of the matter, e.g. 养老": "事项名称，如：养老",
    "‹ All categories": "‹ 全部分类",
    "Please read the guide. Tap Next page to read on; the materials you need are listed too.": "请阅读办事指南。点“下一页”继续往下看，要带的材料也列在里面。",
    "▲ Previous page": "▲ 上一页",
    "Next page ▼": "下一页 ▼",
    "Page {n} of {m}": "第 {n} 页，共 {m} 页",
    "What “{term}” means: ": "“{term}”是指：",
    "↑ Up": "↑ 上移",
    "↓ Down": "↓ 下移",
    "Close": "关闭",
    "PIN: (nothing typed yet)": "密码：（还没有输入）",
    "PIN: ": "密码：",
    "({n} digits)": "（已输入 {n} 位）",
    "When it is ready, bring your receipt to this station to collect it.": "办好后，请带上回执到本站领取。",
    "Receipt no.": "回执号",
    "Recipient": "领取人",
    "ID number": "身份证",
    "Staff name": "经办人",
}


# Issue 11, originals mailed with the transfer slip (原件寄送), in the assist panel.
ZH |= {
    "Receipt number (mailing)": "寄送原件的回执编号",
    "Mail tracking number": "快递单号",
    "Mailing refused: ": "原件寄送登记被拒收：",
    "Originals mailed with the transfer slip:": "随转办单寄送原件：",
    "Record mailing": "登记寄送",
    "Mailing no.": "寄件",  # tabs: seven share the pad's width
    "Tracking no.": "单号",
    "Mailing of {n} recorded: tracking number {t}.": "已登记 {n} 的原件寄送，快递单号 {t}。",
}


# Issue 11 (the return path): 补交材料 and 打印办理结果 from the progress screen.
EXTRA += ["Supplement"]
ZH |= {
    "Supplement": "补交材料",
    "ID number (to print a result or look up elsewhere)": "身份证号码（打印结果或异地查询时填写）",
    "Type the receipt number": "输入回执编号",
    "Hand in materials": "补交材料",
    "Print the result": "打印办理结果",
    "Please try again.": "请再试一次。",
    "Please type your ID number first.": "请先输入身份证号码。",
    "This station has no record of this number.": "本服务站没有该编号的记录。",
    "Applied at another station? Type your ID number, then choose below.": "如在其他服务站申请，请输入身份证号码，再点下方按钮。",
    "Checking and printing…": "正在核验并打印…",
    "Your supplement is received. Please take the printed slip.": "补正材料已接收，请取走打印的凭证。",
    "The department asks for the items listed. Put each under the camera and press Capture.": "办理部门需要您补交下面列出的材料。请逐项放到拍摄区，点“拍照”。",
    "Correction notice": "补正告知",
    "Receipt number: ": "回执编号：",
    "Please hand in by: {due}": "请在 {due} 前补交",
    "Now: ": "正在拍：",
    "Tap an item, then capture it:": "点选一项，再拍照：",
    "The department's words: ": "办理部门的说明：",
    "Everything the notice asks for is here. Please confirm.": "告知要补交的材料已经齐全，请确认提交。",
    "Something is still missing. Everything is listed on the screen.": "还缺少材料，需要补交的内容已全部列在屏幕上。",
    "Your supplement is complete": "补正材料已齐全",
    "The kiosk will pass these pages to the department, under the same receipt number. The department then reviews them.": "本终端将把这些材料按原回执编号转交办理部门，由办理部门审核。",
    "Please complete your supplement": "请补齐补正材料",
    "Your supplement is received": "补正材料已接收",
    "Please take the printed slip.": "请取走打印的补正材料接收凭证。",
    "The slip could not be printed. Please ask the staff.": "凭证没有打印出来，请联系工作人员。",
    "The department reviews your materials; check the progress here with the same number.": "办理部门会审核您的材料，可凭原回执编号在这里查询进度。",
    "Confirm and print": "确认提交并打印",
    "Done": "完成",
    "Sending to the queue and printing…": "正在保存并打印凭证…",
}


# Issue 11, the return path's leftovers: what waits to be sent, the transfer deadline,
# Back from the supplement, a failed slip, the scanned ID card, enterprises (单位).
ZH |= {
    "of which {p} supplements, {h} hand-overs, {m} mailings, {e} ratings, {y} feedback": "其中补正材料 {p} 份，交付记录 {h} 条，原件寄送 {m} 条，评价 {e} 条，意见建议 {y} 条",
    # 意见建议 (5.5): the feedback screen, its button, the answers on the progress screen
    "Feedback": "意见建议",
    "The list of materials is hard to understand": "材料清单看不懂",
    "The service guide is not clear": "办事指南写得不清楚",
    "Please add a service": "希望增加事项",
    "Something else": "其他",
    "What was hard? Tap one reason. You may add a few words.": "请点选一项意见，也可以再写几句话。",
    "About {matter}, tap the reason that fits:": "关于“{matter}”，请选择您的意见：",
    "Your words (optional)": "补充说明（可以不填）",
    "Thank you for your feedback!": "谢谢您的意见建议！",
    "It goes to the city's administrator, who reads every note and answers it.": "您的意见会转给市里的管理员，管理员会逐条阅读并答复。",
    "The kiosk is offline now: your feedback is kept and sent once it is online.": "本机现在没有联网，您的意见已保存，联网后自动发送。",
    "Your feedback number: {no}": "您的意见编号：{no}",
    "To read the answer at any kiosk: on the home screen tap Progress and pickup and type {no}.": "在任一台自助终端查看答复：在首页点“查询进度 / 领取结果”，输入意见编号 {no}。",
    "Your receipt number {no} also finds it at this station.": "在本服务站，输入回执编号 {no} 也能查到。",
    "Please note the number down or take a photo of it, or print it on a slip.": "请记下这个编号，或用手机拍下来，也可以打印凭条。",
    "Print the number": "打印意见编号",
    "The slip is printed. Please take it.": "凭条已打印，请取走。",
    "The slip could not be printed. Note the number down or ask the staff.": "凭条没有打印出来，请记下编号或联系工作人员。",
    "Receipt number or feedback number": "回执编号或意见编号",
    "This feedback number is not right: please check each digit and type it again.": "意见编号有误，请逐位核对后重新输入。",
    "A feedback number has 14 digits after YJ (older ones 10). Please check it.": "意见编号是 YJ 后面的 14 位数字（早先的为 10 位），请核对。",
    "Too many lookups at this kiosk. Please try again in a minute.": "查询过于频繁，请稍后再试（约一分钟后）。",
    "No feedback has this number. Please check it.": "没有查到这个意见编号，请核对。",
    "Send feedback": "提交意见",
    "Please tap a reason first.": "请先点选一项意见。",
    "Feedback cannot be taken at this kiosk. Please ask the staff.": "本机暂时不能提交意见，请找工作人员。",
    "Your feedback is kept here and will be sent once the kiosk is online.": "您的意见建议已保存在本机，联网后自动发送。",
    "Your feedback could not be sent. Please ask the staff.": "您的意见建议未能发送，请找工作人员。",
    "The kiosk is offline: answers to your feedback cannot be read now.": "本机没有联网，暂时不能查看意见答复，请稍后再查。",
    "Answers to your feedback cannot be read now. Please try again later.": "暂时查不到意见答复，请稍后再试。",
    "Answer to your feedback on {matter} ({no}): {answer}": "您对“{matter}”的意见（{no}）已答复：{answer}",
    "Your feedback on {matter} ({no}) was received; it has not been answered yet.": "您对“{matter}”的意见（{no}）已收到，管理员尚未答复。",
    "Print the slip again": "重新打印凭证",
    "Your materials are saved and will be sent; you need not hand them in again.": "您的补正材料已保存，将按原回执编号发送，无需再次提交。",
    "The slip could not be printed. Print it again, or ask the staff.": "凭证没有打印出来。请点“重新打印凭证”，或联系工作人员。",
    "The supplement could not be saved: ": "补正材料没有保存成功：",
    "Your supplement is received. The slip could not be printed.": "补正材料已接收，但凭证没有打印出来。",
    "Scan the ID card": "扫描身份证",
    "Scan my ID card": "扫描身份证",
    "A person": "个人",
    "An enterprise": "单位",
    "Type the credit code": "输入统一社会信用代码",
    "Please type the credit code first.": "请先输入统一社会信用代码。",
    "⚠ transfer overdue": "⚠ 转报超期",
    "⚠ transfer by {date}": "⚠ {date}前转报",
    "The oldest item waiting here was due at the department on {due}: the two-working-day transfer promise is broken. Sync now or export a bundle, and tell the department.": "本机最早一份待发送的材料应在 {due} 前转报到办理部门，已超过 2 个工作日的转报承诺。请立即同步或导出数据包，并告知办理部门。",
    "The oldest item waiting here must reach the department by {due} ({n} working day(s) left). Check the network and sync now, or export a bundle.": "本机最早一份待发送的材料须在 {due} 前转报到办理部门（还剩 {n} 个工作日）。请检查网络并立即同步，或导出数据包。",
}


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_po(path: Path, ids: list[str], translate: dict[str, str], lang: str) -> None:
    lines = [
        'msgid ""',
        'msgstr ""',
        f'"Language: {lang}\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        "",
    ]
    for msgid in ids:
        lines += [f"msgid {quote(msgid)}", f"msgstr {quote(translate.get(msgid, ''))}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    sources = [str(p) for d in ("screens", "ui", "visit") for p in sorted((ROOT / "kiosk" / d).glob("*.py"))]
    sources.append(str(ROOT / "kiosk" / "app.py"))
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "tongban.pot"
        subprocess.run(
            ["xgettext", "--language=Python", "--keyword=_", "--from-code=UTF-8", "-o", str(pot), *sources],
            check=True,
        )
        found = [k for k in parse_po(pot) if k]
    ids = list(dict.fromkeys([*found, *EXTRA]))
    missing = [i for i in ids if i not in ZH]
    if missing:
        sys.stderr.write("no Chinese for:\n" + "\n".join(missing) + "\n")
        return 1
    write_po(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "tongban.po", ids, ZH, "zh_CN")
    write_po(LOCALE_DIR / "en" / "LC_MESSAGES" / "tongban.po", ids, {}, "en")
    for mo in compile_all():
        sys.stdout.write(f"{mo}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
